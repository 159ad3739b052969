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
/// interrupted. Each notice is stored in the outbox in the same commit as the change it announces (the close, the mark
/// that a nudge or re-announcement was sent: <see cref="OutboxStore.WriteNoticesAsync"/>), then goes out through the
/// <see cref="ReplyRouter"/>, as nobody's event caused it; a process killed in between has it delivered at the next start
/// (or by another process), once. With several processes, only the one holding the <see cref="ClusterLock"/> runs a
/// tick, so nothing is announced twice.
/// </summary>
public sealed partial class SupportTimers(
    SupportClockStore clockStore,
    KeepNothingStore keepNothing,
    OutboxStore outbox,
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
            var (closed, notices) = await outbox.WriteNoticesAsync(
                clockStore.CloseQuiet(id, silentSince, now), c => AutoCloseNotices(c, silentSince), _ => id, ct);
            if (closed is null)
            {
                continue;
            }

            LogAutoClosed(id);
            if (closed.KeptNothing)
            {
                await keepNothing.DeletedAtCloseAsync(id, ct);
            }

            replies.AddRange(notices);
        }

        return replies;
    }

    /// <summary>What a quiet close says, composed inside its write and stored with it (it must only compose).</summary>
    private List<Reply> AutoCloseNotices(Closed? closed, DateTimeOffset silentSince)
    {
        if (closed is not { Conversation: var open })
        {
            return [];
        }

        var survivorNote = new List<Block> { new TextBlock(_messages.AutoClosed) };
        if (closed.KeptNothing)
        {
            survivorNote.Add(new TextBlock(_messages.KeepNothingDeleted));
        }

        return
        [
            new Reply(new Audience.Direct(open.Survivor), survivorNote),
            open.ClaimedBy is { } holder
                ? Reply.DirectTo(holder, new TextBlock(MessageTemplate.Fill(_messages.AutoClosedHolder, ("Id", open.Id), ("Wait", relay.WaitSince(silentSince)))))
                : Reply.ToVolunteers(new TextBlock(MessageTemplate.Fill(_messages.AutoClosedNotice, ("Id", open.Id)))),
        ];
    }

    private async Task<List<Reply>> AlertAsync(DateTimeOffset waitingSince, DateTimeOffset now, CancellationToken ct)
    {
        var replies = new List<Reply>();
        foreach (var id in await clockStore.DueAlertsAsync(waitingSince, waitingSince, ct))
        {
            var (waiting, notices) = await outbox.WriteNoticesAsync(
                clockStore.Alert(id, waitingSince, waitingSince, now), w => w is null ? [] : [AlertNotice(w)], _ => id, ct);
            if (waiting is null)
            {
                continue;
            }

            LogAlerted(id);
            replies.AddRange(notices);
        }

        return replies;
    }

    /// <summary>A re-announcement: a number, a name, a wait and the Claim button, never words.</summary>
    private Reply AlertNotice(Conversation waiting)
    {
        var template = waiting.Priority == Priority.Urgent ? _messages.StillWaitingUrgent : _messages.StillWaiting;
        return Reply.ToVolunteers(
            new TextBlock(MessageTemplate.Fill(template, ("Id", waiting.Id), ("Name", waiting.KnownAs), ("Wait", relay.WaitSince(waiting.QueuedAt)))),
            new ButtonsBlock([new Button($"claim:{waiting.Id}", MessageTemplate.Fill(_messages.ClaimButton, ("Id", waiting.Id)), ButtonStyle.Primary)]));
    }

    private async Task<List<Reply>> NudgeAsync(DateTimeOffset quietSince, DateTimeOffset now, CancellationToken ct)
    {
        var replies = new List<Reply>();
        foreach (var id in await clockStore.DueNudgesAsync(quietSince, quietSince, ct))
        {
            var (held, notices) = await outbox.WriteNoticesAsync(
                clockStore.Nudge(id, quietSince, quietSince, now), h => h is null ? [] : [NudgeNotice(h, quietSince)], _ => id, ct);
            if (held is null)
            {
                continue;
            }

            LogNudged(id);
            replies.AddRange(notices);
        }

        return replies;
    }

    private Reply NudgeNotice(Conversation held, DateTimeOffset quietSince) =>
        Reply.DirectTo(held.ClaimedBy!, new TextBlock(MessageTemplate.Fill(_messages.NudgeHolder,
            ("Id", held.Id), ("Name", held.KnownAs), ("Wait", relay.WaitSince(quietSince)))));

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} closed after a long quiet")]
    private partial void LogAutoClosed(long conversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} re-announced: waiting too long")]
    private partial void LogAlerted(long conversationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId}: holder nudged after no reply")]
    private partial void LogNudged(long conversationId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Support timers failed; they run again at the next tick")]
    private partial void LogTickFailed(Exception exception);
}
