using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;
using SupportBot.Slack.Wire;

namespace SupportBot.Slack;

/// <summary>
/// What Slack delivers, by Socket Mode or over HTTP alike, handed to the core in each person's lane (people in
/// parallel, each in order) and answered: the actor privately in place (the ack, response_url, a modal), everyone
/// else through the <see cref="ReplyRouter"/>. Everything accepted is tracked, so stopping finishes it within
/// <see cref="InFlightWork.Grace"/>: Slack will not send an acknowledged event again.
/// </summary>
internal sealed partial class SlackResponder : IDisposable
{
    /// <summary>How long a slash command may take before its answer goes by response_url instead of in the ack.</summary>
    internal static readonly TimeSpan AnswerInAckBudget = TimeSpan.FromSeconds(1.5);

    private readonly Bot _bot;
    private readonly ReplyRouter _router;
    private readonly SlackApi _api;
    private readonly SlackActors _actors;
    private readonly TimeProvider _time;
    private readonly ILogger<SlackResponder> _logger;
    private readonly InFlightWork _inFlight;
    private readonly PersonLanes _lanes;
    private readonly ArrivalOrder _arrivals = new();
    private readonly Messages _messages;
    private readonly string _commandPrefix;

    public SlackResponder(
        Bot bot, ReplyRouter router, SlackApi api, SlackActors actors, ContentCatalog content, IOptions<SlackOptions> options, TimeProvider time,
        ILogger<SlackResponder> logger)
    {
        _messages = content.Messages;
        _commandPrefix = options.Value.CommandPrefix;
        _bot = bot;
        _router = router;
        _api = api;
        _actors = actors;
        _time = time;
        _logger = logger;
        _inFlight = new InFlightWork(time, logger);
        _lanes = new PersonLanes(_inFlight);
    }

    /// <summary>The bot's own user id (auth.test), so its own posts are not taken for someone writing to it. Set before the first event.</summary>
    public string BotUserId { get; set; } = "";

    /// <summary>
    /// A Socket Mode envelope, called on the receive loop. What it is, and whose lane it joins, is decided here, so one
    /// person's envelopes are handled in the order Slack sent them; acks and the work itself never block the loop,
    /// so a slow database cannot stop it reading (and acking) the next envelopes.
    /// </summary>
    public void OnEnvelope(SocketFrame frame, Func<JsonObject?, Task> ack)
    {
        switch (frame.Type)
        {
            case "slash_commands" when Parse(frame.Payload, SlackJson.Default.SlashPayload) is { } command:
                _inFlight.Track(AckWithAnswerAsync(command, ack));
                break;
            case "events_api":
                // Acked once the event is stored, never before: Slack never resends an acknowledged event.
                _inFlight.Track(AckWhenStoredAsync(EventAsync(Parse(frame.Payload, SlackJson.Default.EventCallback)), ack));
                break;
            case "interactive":
                _inFlight.Track(AckWhenStoredAsync(InteractionAsync(Parse(frame.Payload, SlackJson.Default.InteractivePayload)), ack));
                break;
            default:
                _inFlight.Track(ack(null));
                break;
        }
    }

    /// <summary>
    /// Runs a slash command. One that changes state (claim, close, note, forget…) is stored in the inbox first and only
    /// then reported received, so a crash after the ack loses nothing; one that only answers is handled at once, its
    /// repeats known in memory. When the answer is ready within <see cref="AnswerInAckBudget"/> it rides in the ack (or
    /// HTTP response); otherwise it follows by response_url. Not received (no ack, HTTP 503) when storing failed: the
    /// person is then told by response_url, which needs no storage, to send it again.
    /// </summary>
    public async Task<SlashAck> SlashCommandAsync(SlashPayload command)
    {
        if (command.UserId is null || command.Command is null)
        {
            LogMalformed("slash command");
            return new SlashAck(Received: true, null);
        }

        var budget = Task.Delay(AnswerInAckBudget, _time);
        var userId = command.UserId;
        var stored = ChangesState(command) ? _arrivals.Store(new Address(Platform.Slack, userId), () => StoreAsync(async ct => ToSlashCommand(command, await ActorAsync(command, ct)))) : null;
        var handled = new TaskCompletionSource<(IReadOnlyList<Reply> Replies, SlackContext? Context)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var takenByAck = new TaskCompletionSource<Reply?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = _lanes.Enqueue(new Address(Platform.Slack, userId), async ct =>
        {
            IReadOnlyList<Reply> replies = [];
            SlackContext? context = null;
            try
            {
                if (stored is null)
                {
                    var actor = await ActorAsync(command, ct);
                    context = Context(command, actor);
                    replies = await _bot.HandleAsync(ToSlashCommand(command, actor), ct);
                }
                else if (await StoredOrNullAsync(stored) is { } inbound)
                {
                    context = Context(command, inbound.Actor);
                    replies = await _bot.HandleAcceptedAsync(inbound, ct);
                }

                handled.TrySetResult((replies, context));
            }
            catch (Exception e)
            {
                handled.TrySetException(e);
                throw;
            }

            // Everything the ack did not carry is delivered here, in the person's lane, so it keeps its order.
            var taken = await takenByAck.Task;
            if (taken is not null)
            {
                await _router.AnsweredInPlaceAsync(taken);
            }

            if (context is not null)
            {
                await DeliverAsync(replies.Where(r => !ReferenceEquals(r, taken)).ToList(), context, ct);
            }
        });

        if (stored is not null && !await StoredOrNothingAsync(stored))
        {
            _ = _inFlight.Track(TellNotSavedAsync(userId, command.ResponseUrl));
            takenByAck.TrySetResult(null);
            return new SlashAck(Received: false, null);
        }

        Reply? inAck = null;
        try
        {
            if (await Task.WhenAny(handled.Task, budget) != handled.Task)
            {
                LogSlowAnswer();
                return new SlashAck(Received: true, null);
            }

            var (replies, context) = await handled.Task;
            inAck = context is null
                ? null
                : replies.FirstOrDefault(r => context.IsActor(r) && !r.Blocks.OfType<FormBlock>().Any() && SlackRenderer.Render(r).Count == 1);
            return new SlashAck(Received: true, inAck is null ? null : Ephemeral(SlackRenderer.Render(inAck)[0], replaceOriginal: false));
        }
        catch (Exception)
        {
            // Handling failed or was cancelled at shutdown (the lane's tracker logs it); a command that changes state was stored, so the ack still goes out.
            return new SlashAck(Received: true, null);
        }
        finally
        {
            takenByAck.TrySetResult(inAck);
        }
    }

    /// <summary>
    /// An Events API callback: only a person writing to the bot in a DM reaches the core. The returned task is true once
    /// Slack may be told it arrived (stored, a repeat, or nothing to store) and false when storing it failed, so that
    /// Slack sends it again. Handling follows in the person's lane, in the order the events came.
    /// </summary>
    public Task<bool> EventAsync(EventCallback? callback)
    {
        if (callback?.Event is null || callback.EventId is null)
        {
            LogMalformed("event");
            return Task.FromResult(true);
        }

        switch (SlackInbound.Classify(callback, BotUserId))
        {
            case SlackInbound.EventKind.Malformed:
                LogMalformed("direct message");
                return Task.FromResult(true);
            case SlackInbound.EventKind.Ignored:
                return Task.FromResult(true);
        }

        var message = callback.Event;
        return StoreThenHandle(
            message.User!,
            async ct => SlackInbound.ToDirectMessage(callback, await _actors.ActorAsync(message.User!, null, ct)),
            actor => new SlackContext(actor, null, null, message.Channel));
    }

    /// <summary>block_actions and view_submission; true once Slack may be told it arrived, as for <see cref="EventAsync"/>.</summary>
    public Task<bool> InteractionAsync(InteractivePayload? payload)
    {
        if (payload?.User?.Id is not { Length: > 0 } userId)
        {
            LogMalformed("interaction");
            return Task.FromResult(true);
        }

        return StoreThenHandle(
            userId,
            async ct => SlackInbound.ToInbound(payload, await _actors.ActorAsync(userId, payload.User.Username ?? payload.User.Name, ct)),
            actor => new SlackContext(actor, payload.ResponseUrl, payload.TriggerId, payload.Container?.ChannelId)
            {
                OriginalIsEphemeral = payload.Container?.IsEphemeral == true,
            });
    }

    /// <summary>
    /// Hands every event stored but not handled before the last stop to the people's lanes, before anything new is
    /// received; replies go through the router (the response_url and trigger of then have expired).
    /// </summary>
    public Task ReplayAsync(CancellationToken ct) => _bot.ReplayPendingAsync(
        Platform.Slack,
        _lanes,
        async (inbound, laneCt) => await DeliverAsync(await _bot.HandleAcceptedAsync(inbound, laneCt), new SlackContext(inbound.Actor, null, null, null), laneCt),
        ct);

    /// <summary>Finishes what was accepted, within the grace period; see <see cref="InFlightWork.DrainAsync"/>.</summary>
    public Task DrainAsync(CancellationToken ct = default) => _inFlight.DrainAsync(InFlightWork.Grace, ct);

    public void Dispose()
    {
        _inFlight.Dispose();
    }

    /// <summary>What Slack is told about a slash command: received or not (no ack, HTTP 503), and the private answer the ack carries, if any.</summary>
    internal readonly record struct SlashAck(bool Received, JsonObject? Answer);

    /// <summary>
    /// Stores the event at once (behind their earlier stores, not their earlier work, so the ack is quick) and queues its handling in
    /// the person's lane now, so it keeps its place; the lane waits for the store and handles only what was stored.
    /// </summary>
    private Task<bool> StoreThenHandle(string userId, Func<CancellationToken, Task<Inbound?>> read, Func<Actor, SlackContext> context)
    {
        // After the person's earlier events, so that after a crash the inbox hands them back in the order they came.
        var stored = _arrivals.Store(new Address(Platform.Slack, userId), () => StoreAsync(read));
        _lanes.Enqueue(new Address(Platform.Slack, userId), async ct =>
        {
            if (await stored is { } inbound)
            {
                await DeliverAsync(await _bot.HandleAcceptedAsync(inbound, ct), context(inbound.Actor), ct);
            }
        });
        return StoredOrNothingAsync(stored);
    }

    /// <summary>The event when this call stored it; null when there was nothing to store or it was a repeat. Throws when storing failed.</summary>
    private async Task<Inbound?> StoreAsync(Func<CancellationToken, Task<Inbound?>> read)
    {
        if (await read(_inFlight.Token) is not { } inbound)
        {
            return null;
        }

        return await _bot.AcceptAsync(inbound, _inFlight.Token) == Acceptance.Stored ? inbound : null;
    }

    private async Task<bool> StoredOrNothingAsync(Task<Inbound?> stored)
    {
        try
        {
            await stored;
            return true;
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            LogNotStored(fault);
            return false;
        }
    }

    private static async Task AckWhenStoredAsync(Task<bool> stored, Func<JsonObject?, Task> ack)
    {
        if (await stored)
        {
            await ack(null);
        }
    }

    private async Task AckWithAnswerAsync(SlashPayload command, Func<JsonObject?, Task> ack)
    {
        // Not acknowledged when it could not be stored: Slack then shows the person a timeout, and our own answer says why.
        if (await SlashCommandAsync(command) is { Received: true } answer)
        {
            await ack(answer.Answer);
        }
    }

    /// <summary>As the core decides: a command its spec says only answers is not stored; any other (unknown ones too) is.</summary>
    private bool ChangesState(SlashPayload command) =>
        CommandLine.Find(_bot.Commands, SlackInbound.CommandName(command, _commandPrefix))?.ChangesState ?? true;

    /// <summary>users.info can be slow for someone new; the ack waits for the answer, so it does not wait for that.</summary>
    private Task<Actor> ActorAsync(SlashPayload command, CancellationToken ct) =>
        _actors.ActorWithoutNameLookupAsync(command.UserId!, command.UserName, ct);

    private SlashCommand ToSlashCommand(SlashPayload command, Actor actor) => SlackInbound.ToSlashCommand(command, actor, _bot.Commands, _commandPrefix);

    private static SlackContext Context(SlashPayload command, Actor actor) => new(actor, command.ResponseUrl, command.TriggerId, command.ChannelId);

    /// <summary>The store that went first; null when it failed or was a repeat (the ack side logs a failure).</summary>
    private static async Task<Inbound?> StoredOrNullAsync(Task<Inbound?> stored)
    {
        try
        {
            return await stored;
        }
        catch (Exception)
        {
            return null;
        }
    }

    /// <summary>A command that could not be stored is answered plainly by response_url, which needs no storage, so the person is not left in silence.</summary>
    private async Task TellNotSavedAsync(string userId, string? responseUrl)
    {
        if (responseUrl is null)
        {
            return;
        }

        try
        {
            var reply = Reply.Private(new Actor(new Address(Platform.Slack, userId), userId, IsVolunteer: false), new TextBlock(_messages.StorageFailed));
            await _api.RespondAsync(responseUrl, Ephemeral(SlackRenderer.Render(reply)[0], replaceOriginal: false), _inFlight.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !_inFlight.Token.IsCancellationRequested)
        {
            LogDeliveryFailed(e.GetType().Name, (e as SlackApiException)?.Error ?? "");
        }
    }

    /// <summary>Answers the actor privately in place; every other reply goes through the router.</summary>
    private async Task DeliverAsync(IReadOnlyList<Reply> replies, SlackContext context, CancellationToken ct)
    {
        foreach (var reply in replies)
        {
            try
            {
                if (context.IsActor(reply) && context.CanAnswerInPlace)
                {
                    await AnswerInPlaceAsync(reply, context, ct);
                }
                else
                {
                    await _router.DeliverAsync(reply, ct);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogDeliveryFailed(e.GetType().Name, (e as SlackApiException)?.Error ?? "");
            }

            // Answered in place, or refused (as the router does, not tried again): a reply stored with the event's write goes.
            await _router.AnsweredInPlaceAsync(reply);
        }
    }

    private async Task AnswerInPlaceAsync(Reply reply, SlackContext context, CancellationToken ct)
    {
        foreach (var form in reply.Blocks.OfType<FormBlock>())
        {
            if (context.TriggerId is not null)
            {
                await _api.OpenViewAsync(context.TriggerId, SlackRenderer.RenderModal(form), ct);
            }
        }

        var messages = SlackRenderer.Render(reply);
        if (messages.Count == 0)
        {
            return;
        }

        // A private answer in a DM is kept as a normal DM message (ephemeral ones vanish), unless it replaces the original.
        if (context.ResponseUrl is null || (context.InDirectMessage && !reply.ReplacesOriginal))
        {
            await _router.DeliverAsync(reply, ct);
            return;
        }

        // Replacing a message everyone in a channel sees would show them this private answer: answer anew instead.
        var replace = reply.ReplacesOriginal && context.OriginalIsPrivate;
        for (var i = 0; i < messages.Count; i++)
        {
            await _api.RespondAsync(context.ResponseUrl, Ephemeral(messages[i], replaceOriginal: i == 0 && replace), ct);
        }
    }

    private static JsonObject Ephemeral(SlackMessage message, bool replaceOriginal)
    {
        var body = new JsonObject
        {
            ["response_type"] = "ephemeral",
            ["text"] = message.Text,
            ["blocks"] = message.Blocks.DeepClone(),
        };
        if (replaceOriginal)
        {
            body["replace_original"] = true;
        }

        return body;
    }

    private static T? Parse<T>(JsonElement? payload, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return payload is { ValueKind: JsonValueKind.Object } p ? p.Deserialize(type) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a malformed Slack {Kind}")]
    private partial void LogMalformed(string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storing a Slack event failed ({Fault}); it was not acknowledged, so Slack will send it again")]
    private partial void LogNotStored(string fault);



    [LoggerMessage(Level = LogLevel.Information, Message = "A slash command took longer than the ack allows; its answer follows by response_url")]
    private partial void LogSlowAnswer();

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering a reply on Slack failed ({Failure} {Error})")]
    private partial void LogDeliveryFailed(string failure, string error);
}
