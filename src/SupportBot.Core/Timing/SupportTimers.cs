using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core.Content;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;

namespace SupportBot.Core.Timing;

/// <summary>
/// One timer for everything time-driven, shaped like <see cref="RetentionSweep"/>: at start, then every
/// Support:CheckEvery. It closes silent conversations with a kind note, re-announces ones waiting too long (a number, a
/// name, a wait: never words), nudges holders who have gone quiet, and finishes any keep-nothing deletion a stop
/// interrupted. Replies go out through the <see cref="ReplyRouter"/>, as nobody's event caused them. With several
/// processes, only the one holding the <see cref="ClusterLock"/> runs a tick, so nothing is announced twice.
/// </summary>
public sealed partial class SupportTimers(
    SupportClockStore clockStore,
    ConversationStore store,
    KeepNothingStore keepNothing,
    AuditLog audit,
    Relay relay,
    ReplyRouter router,
    ClusterLock clusterLock,
    ContentCatalog content,
    IOptions<SupportOptions> options,
    TimeProvider clock,
    ILogger<SupportTimers> logger) : BackgroundService
{
    private readonly Messages _messages = content.Messages;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckEvery, clock);
        do
        {
            try
            {
                await clusterLock.RunIfHeldAsync(RunOnceAsync, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogTickFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass; returns the replies it delivered (for tests and for the log's counts).</summary>
    public async Task<IReadOnlyList<Reply>> RunOnceAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var replies = new List<Reply>();
        if (settings.AutoCloseAfter > TimeSpan.Zero)
        {
            replies.AddRange(await AutoCloseAsync(now - settings.AutoCloseAfter, now, ct));
        }

        await keepNothing.PurgeClosedAsync(null, ct);
        if (settings.AlertAfter > TimeSpan.Zero)
        {
            replies.AddRange(await AlertAsync(now - settings.AlertAfter, now, ct));
        }

        if (settings.NudgeAfter > TimeSpan.Zero)
        {
            replies.AddRange(await NudgeAsync(now - settings.NudgeAfter, now, ct));
        }

        foreach (var reply in replies)
        {
            await router.DeliverAsync(reply, ct);
        }

        return replies;
    }

    private async Task<List<Reply>> AutoCloseAsync(DateTimeOffset silentSince, DateTimeOffset now, CancellationToken ct)
    {
        var replies = new List<Reply>();
        foreach (var id in await clockStore.SilentAsync(silentSince, ct))
        {
            var open = await store.GetAsync(id, ct);
            if (open is null || !await clockStore.CloseQuietAsync(id, silentSince, now, ct))
            {
                continue;
            }

            LogAutoClosed(id);
            var survivorNote = new List<Block> { new TextBlock(_messages.AutoClosed) };
            if (await keepNothing.DeletedAtCloseAsync(id, ct))
            {
                survivorNote.Add(new TextBlock(_messages.KeepNothingDeleted));
            }

            replies.Add(new Reply(new Audience.Direct(open.Survivor), survivorNote));
            replies.Add(open.ClaimedBy is { } holder
                ? Reply.DirectTo(holder, new TextBlock(MessageTemplate.Fill(_messages.AutoClosedHolder, ("Id", id), ("Wait", relay.WaitSince(silentSince)))))
                : Reply.ToVolunteers(new TextBlock(MessageTemplate.Fill(_messages.AutoClosedNotice, ("Id", id)))));
        }

        return replies;
    }

    private async Task<List<Reply>> AlertAsync(DateTimeOffset waitingSince, DateTimeOffset now, CancellationToken ct)
    {
        var replies = new List<Reply>();
        foreach (var id in await clockStore.TakeDueAlertsAsync(waitingSince, waitingSince, now, ct))
        {
            if (await store.GetAsync(id, ct) is not { Status: ConversationStatus.Queued } waiting)
            {
                continue;
            }

            await audit.WriteAsync(id, AuditLog.System, "alert", ct);
            LogAlerted(id);
            var template = waiting.Priority == Priority.Urgent ? _messages.StillWaitingUrgent : _messages.StillWaiting;
            replies.Add(Reply.ToVolunteers(
                new TextBlock(MessageTemplate.Fill(template, ("Id", id), ("Name", waiting.KnownAs), ("Wait", relay.WaitSince(waiting.QueuedAt)))),
                new ButtonsBlock([new Button($"claim:{id}", MessageTemplate.Fill(_messages.ClaimButton, ("Id", id)), ButtonStyle.Primary)])));
        }

        return replies;
    }

    private async Task<List<Reply>> NudgeAsync(DateTimeOffset quietSince, DateTimeOffset now, CancellationToken ct)
    {
        var replies = new List<Reply>();
        foreach (var id in await clockStore.TakeDueNudgesAsync(quietSince, quietSince, now, ct))
        {
            if (await store.GetAsync(id, ct) is not { Status: ConversationStatus.Claimed, ClaimedBy: { } holder } held)
            {
                continue;
            }

            await audit.WriteAsync(id, holder, "nudge", ct);
            LogNudged(id);
            replies.Add(Reply.DirectTo(holder, new TextBlock(MessageTemplate.Fill(_messages.NudgeHolder,
                ("Id", id), ("Name", held.KnownAs), ("Wait", relay.WaitSince(quietSince))))));
        }

        return replies;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} closed after a long quiet")]
    private partial void LogAutoClosed(long conversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} re-announced: waiting too long")]
    private partial void LogAlerted(long conversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId}: holder nudged after no reply")]
    private partial void LogNudged(long conversationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Support timers failed; they run again at the next tick")]
    private partial void LogTickFailed(Exception exception);
}
