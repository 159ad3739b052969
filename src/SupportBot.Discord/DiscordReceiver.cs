using System.Text.Json;
using Microsoft.Extensions.Logging;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>
/// Takes the gateway's dispatches and hands each person's events to the core in order, in that person's lane:
/// people in parallel, so one survivor's slow reply (a 429 on their DM channel) never holds up another's.
/// A direct message is stored in the inbox, sealed, before anything else (its sequence is claimed only then, see
/// <see cref="DiscordSequence"/>), and handled in the lane from there; what was stored but not handled before a
/// restart is handled at start (<see cref="ReplayAsync"/>), and what Discord could not replay is read back from the
/// DM channel (<see cref="Backfill"/>). Everything received is tracked, so stopping finishes it within
/// <see cref="InFlightWork.Grace"/>.
/// </summary>
internal sealed partial class DiscordReceiver : IDisposable
{
    private readonly Bot _bot;
    private readonly ReplyRouter _router;
    private readonly DiscordApi _api;
    private readonly DiscordSender _sender;
    private readonly DiscordVolunteers _volunteers;
    private readonly DiscordInteractionResponder _interactions;
    private readonly Messages _messages;
    private readonly ILogger<DiscordReceiver> _logger;
    private readonly InFlightWork _inFlight;
    private readonly PersonLanes _lanes;

    private readonly ArrivalOrder _arrivals = new();
    private readonly ReadLimit _dmsInHand = new();

    public DiscordReceiver(
        Bot bot,
        ReplyRouter router,
        DiscordApi api,
        DiscordSender sender,
        DiscordVolunteers volunteers,
        DiscordInteractionResponder interactions,
        ContentCatalog content,
        TimeProvider time,
        ILogger<DiscordReceiver> logger)
    {
        _bot = bot;
        _router = router;
        _api = api;
        _sender = sender;
        _volunteers = volunteers;
        _interactions = interactions;
        _messages = content.Messages;
        _logger = logger;
        _inFlight = new InFlightWork(time, logger);
        _lanes = new PersonLanes(_inFlight);
    }

    /// <summary>
    /// Called on a shard's receive loop for every dispatch: decodes and queues, never waits for the work. Returns, for a
    /// direct message or an interaction, a task that completes true once the shard may claim its sequence (see
    /// <see cref="DiscordSequence"/>); <paramref name="replayed"/> when Discord sends it again on a resume.
    /// <paramref name="data"/> is the dispatch's <c>d</c> as UTF-8 JSON (empty when it had none), read here straight into
    /// the event's type and not kept: it lies in the gateway's receive buffer.
    /// </summary>
    public Task<bool>? OnDispatch(string name, ReadOnlyMemory<byte> data, string? botUserId, bool replayed)
    {
        try
        {
            if (name is "INTERACTION_CREATE" or "MESSAGE_CREATE" && (data.IsEmpty || data.Span[0] != (byte)'{'))
            {
                LogMalformed(name);
                return null;
            }

            switch (name)
            {
                case "INTERACTION_CREATE":
                    if (JsonSerializer.Deserialize(data.Span, DiscordJson.Default.WireInteraction) is not { } interaction
                        || DiscordInbound.UserOf(interaction) is not { } user)
                    {
                        LogMalformed(name);
                        return null;
                    }

                    // Its sequence is claimed once it is handled: a press taken in by a process killed before its commit is
                    // sent again on the resume, even when a deferral already told the person it was being worked on.
                    var answer = _interactions.Begin(interaction, replayed, _inFlight.Token);
                    var handled = new TaskCompletionSource<bool>();
                    _lanes.Enqueue(new Address(Platform.Discord, user.Id), ct => _interactions.RespondAsync(answer, user, handled, ct));
                    return handled.Task;
                case "MESSAGE_CREATE":
                    if (JsonSerializer.Deserialize(data.Span, DiscordJson.Default.WireMessage) is not { } message)
                    {
                        LogMalformed(name);
                        return null;
                    }

                    switch (DiscordInbound.Classify(message, botUserId))
                    {
                        case DiscordInbound.MessageKind.DirectMessage:
                            return Receive(message);
                        case DiscordInbound.MessageKind.Malformed:
                            LogMalformed(name);
                            break;
                    }

                    break;
            }
        }
        catch (JsonException)
        {
            LogMalformed(name);
        }

        return null;
    }

    /// <summary>
    /// Hands every Discord event stored but not handled before the last stop to the people's lanes, before anything new
    /// is received. A storage failure is logged: those events stay stored for the next start.
    /// </summary>
    public Task ReplayAsync(CancellationToken ct) => _bot.ReplayPendingAsync(Platform.Discord, _lanes, HandleAsync, ct);

    /// <summary>
    /// Queues, in the person's lane, a read of their DM channel after <paramref name="after"/>: what they wrote there and
    /// the inbox does not hold yet is stored and handled, oldest first; what it holds is handled only if it was not.
    /// Queued now, so a message that arrives live meanwhile waits behind the older ones.
    /// </summary>
    public void Backfill(string userId, ulong after)
    {
        var person = new Address(Platform.Discord, userId);
        _lanes.Enqueue(person, ct => BackfillAsync(person, after, ct));
    }

    /// <summary>
    /// Completes when the shard may read its next frame: at once unless <see cref="ReadLimit.Limit"/> direct messages are
    /// in hand. Frames not read stay unclaimed, so a stop or a crash meanwhile loses none: Discord sends them again on
    /// the resume. Interactions do not count: each is answered or deferred at once, and it must be read for that.
    /// </summary>
    public Task RoomAsync() => _dmsInHand.RoomAsync();

    /// <summary>Finishes what was received, within the grace period; see <see cref="InFlightWork.DrainAsync"/>.</summary>
    public Task DrainAsync(CancellationToken ct = default) => _inFlight.DrainAsync(InFlightWork.Grace, ct);

    public void Dispose() => _inFlight.Dispose();

    /// <summary>
    /// Stores the DM at once, on the thread pool (SQLite blocks its thread; the receive loop must go on reading), and
    /// queues its handling in the person's lane now, so it keeps its place. Returns when its sequence may be claimed.
    /// When nothing of the person's is waiting, the DM is taken in and handled at once instead (<see cref="TakeInAsync"/>).
    /// </summary>
    private Task<bool> Receive(WireMessage message)
    {
        var person = new Address(Platform.Discord, message.Author!.Id);
        _sender.RememberDmChannel(person.UserId, message.ChannelId);
        if (_lanes.IsIdle(person))
        {
            var settled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _arrivals.Hold(person, settled.Task);
            _dmsInHand.Track(_lanes.Enqueue(person, ct => TakeInAsync(message, settled, ct)));
            return settled.Task;
        }

        // Stored after their earlier DMs, so the inbox holds their words in the order they wrote them: after a crash,
        // what it holds is handled in that order, before what Discord sends again.
        var stored = _arrivals.Store(person, () => StoreAsync(message));
        _dmsInHand.Track(_lanes.Enqueue(person, async ct =>
        {
            if (await StoredOrToldAsync(person, stored, ct) is { } inbound)
            {
                await HandleAsync(inbound, ct);
            }
        }));
        return SettledAsync(stored);
    }

    /// <summary>
    /// A DM whose person's lane was free: its inbox row and its handling commit together (<see cref="Bot.HandleOnceAsync"/>:
    /// one write instead of two), and its sequence may be claimed once that returns, before the answer is delivered. A
    /// handling the database refused stored the words alone, or told the person they were not saved. A repeat (Discord
    /// sending a DM stored before) goes the stored way: handled only if it never was.
    /// </summary>
    private async Task TakeInAsync(WireMessage message, TaskCompletionSource<bool> settled, CancellationToken ct)
    {
        try
        {
            var isVolunteer = await _volunteers.IsVolunteerAsync(message.Author!.Id, null, ct);
            var inbound = DiscordInbound.ToDirectMessage(message, DiscordInbound.ToActor(message.Author!, null, isVolunteer));
            var replies = await _bot.HandleOnceAsync(inbound, ct);
            settled.TrySetResult(true);
            if (replies is null)
            {
                await HandleAsync(inbound, ct);
                return;
            }

            await DeliverAsync(replies, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping before it was taken in: its sequence is not claimed, so Discord sends it again.
        }
        catch (Exception e)
        {
            LogFailed(DiscordApiException.KindOf(e));
        }
        finally
        {
            settled.TrySetResult(false);
        }
    }

    /// <summary>The DM as stored in the inbox (now, or before: a repeat is handled only if it never was). Throws when storing failed.</summary>
    private async Task<Inbound> StoreAsync(WireMessage message)
    {
        // Whether the author is a volunteer is looked up when it is handled: the store must not wait on REST.
        var inbound = DiscordInbound.ToDirectMessage(message, DiscordInbound.ToActor(message.Author!, null, isVolunteer: false));
        await _bot.AcceptAsync(inbound, _inFlight.Token);
        return inbound;
    }

    /// <summary>True once the sequence may be claimed: stored, or the person is told it was not. Anything else (stopping) holds it.</summary>
    private static async Task<bool> SettledAsync(Task<Inbound> stored)
    {
        try
        {
            await stored;
            return true;
        }
        catch (Exception e) when (StorageFault.Kind(e) is not null)
        {
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>The stored DM, or null when storing failed and the person was asked to send it again.</summary>
    private async Task<Inbound?> StoredOrToldAsync(Address person, Task<Inbound> stored, CancellationToken ct)
    {
        try
        {
            return await stored;
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            LogNotStored(fault);
            await DeliverAsync([Reply.DirectTo(person, new TextBlock(_messages.StorageFailed))], ct);
            return null;
        }
    }

    /// <summary>Handles an event the inbox holds: the core does it once, however many times it arrived.</summary>
    private async Task HandleAsync(Inbound inbound, CancellationToken ct)
    {
        try
        {
            if (inbound is DirectMessage)
            {
                inbound = inbound with { Actor = inbound.Actor with { IsVolunteer = await _volunteers.IsVolunteerAsync(inbound.Actor.Address.UserId, null, ct) } };
            }

            await DeliverAsync(await _bot.HandleAcceptedAsync(inbound, ct), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping; the grace period is over. The event stays stored for the next start.
        }
        catch (Exception e)
        {
            LogFailed(DiscordApiException.KindOf(e));
        }
    }

    private async Task BackfillAsync(Address person, ulong after, CancellationToken ct)
    {
        try
        {
            var channel = await _sender.DmChannelAsync(person.UserId, ct);
            var recovered = 0;
            foreach (var message in await _api.GetMessagesAfterAsync(channel, after, ct))
            {
                // Only what the person wrote: the bot's own answers are in the channel too.
                var written = message with { ChannelId = channel };
                if (written.Author?.Id != person.UserId || DiscordInbound.Classify(written, null) != DiscordInbound.MessageKind.DirectMessage)
                {
                    continue;
                }

                if (await StoredOrToldAsync(person, StoreAsync(written), ct) is { } inbound)
                {
                    recovered++;
                    await HandleAsync(inbound, ct);
                }
            }

            LogBackfilled(recovered);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            LogBackfillFailed(DiscordApiException.KindOf(e));
        }
    }

    private async Task DeliverAsync(IReadOnlyList<Reply> replies, CancellationToken ct)
    {
        foreach (var reply in replies)
        {
            // The router logs a failed delivery and goes on with the next reply.
            await _router.DeliverAsync(reply, ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a malformed Discord {Event}")]
    private partial void LogMalformed(string @event);

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering a Discord direct message failed ({Kind})")]
    private partial void LogFailed(string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing a Discord direct message failed ({Fault}); the person was asked to send it again")]
    private partial void LogNotStored(string fault);



    [LoggerMessage(Level = LogLevel.Information, Message = "Read back a Discord DM channel: {Count} messages from the survivor since the last one stored; the inbox drops those it holds")]
    private partial void LogBackfilled(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading back a Discord DM channel failed ({Kind})")]
    private partial void LogBackfillFailed(string kind);
}
