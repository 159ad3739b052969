using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Slack.Wire;

namespace SupportBot.Slack;

/// <summary>
/// The Slack side of the bot. Receives through Socket Mode (or HTTP mode, see <see cref="SlackHttpEndpoint"/>), hands each
/// event to <see cref="Bot"/>, answers the actor privately in place and sends everything else through
/// <see cref="ReplyRouter"/>. Every envelope is acknowledged within Slack's 3 seconds, however long the core takes.
/// </summary>
public sealed partial class SlackAdapter(
    Bot bot,
    SlackApi api,
    SlackVolunteers volunteers,
    IServiceProvider services,
    IOptions<SlackOptions> options,
    TimeProvider time,
    ILogger<SlackAdapter> logger) : BackgroundService, IChatAdapter
{
    /// <summary>How long a slash command may take before its answer goes by response_url instead of in the ack.</summary>
    internal static readonly TimeSpan AnswerInAckBudget = TimeSpan.FromSeconds(1.5);

    /// <summary>How long shutdown waits for work Slack already handed over (and will not send again) to finish.</summary>
    internal static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan RetireAfter = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    /// <summary>A connection that lasted this long proves the link works, so the next reconnect starts from <see cref="FirstBackoff"/>.</summary>
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(30);

    /// <summary>How long a looked-up name is used before it is looked up again.</summary>
    private static readonly TimeSpan NameCacheFor = TimeSpan.FromMinutes(10);

    /// <summary>How long a name lookup may hold up an event; the username does meanwhile.</summary>
    private static readonly TimeSpan NameLookupLimit = TimeSpan.FromSeconds(1);

    private readonly SlackOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, string> _directChannels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly ConcurrentDictionary<string, (string? Name, DateTimeOffset At)> _names = new(StringComparer.Ordinal);

    // Work on an envelope or request Slack considers delivered. Not the stopping token: Slack will not send an
    // acknowledged envelope again, so shutdown lets this work finish and cancels it only after ShutdownGrace.
    private readonly CancellationTokenSource _handling = new();
    private string _botUserId = "";
    private CancellationToken _stopping;

    public Platform Platform => Platform.Slack;

    /// <summary>Completes once the adapter knows its own user id and is connected (Socket Mode) or listening (HTTP mode).</summary>
    internal TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The address HTTP mode listens on, once <see cref="Ready"/>.</summary>
    internal Uri? HttpAddress { get; private set; }

    public async Task SendAsync(Reply reply, CancellationToken ct)
    {
        string channel;
        switch (reply.Audience)
        {
            case Audience.Volunteers:
                if (_options.VolunteerChannelId.Length == 0)
                {
                    LogNoVolunteerChannel();
                    return;
                }

                channel = _options.VolunteerChannelId;
                break;
            case Audience.Direct { User.Platform: Platform.Slack } direct:
                channel = await DirectChannelAsync(direct.User.UserId, ct).ConfigureAwait(false);
                break;
            case Audience.OnlyActor { User.Platform: Platform.Slack } only:
                channel = await DirectChannelAsync(only.User.UserId, ct).ConfigureAwait(false);
                break;
            default:
                return;
        }

        if (reply.Blocks.OfType<FormBlock>().Any())
        {
            // A modal needs the trigger of an interaction; a reply that reached us through the router has none.
            LogFormWithoutTrigger();
        }

        foreach (var message in SlackRenderer.Render(reply))
        {
            await api.PostMessageAsync(channel, message, ct).ConfigureAwait(false);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        _botUserId = await WithBackoffAsync(api.GetBotUserIdAsync, stoppingToken).ConfigureAwait(false);
        try
        {
            if (_options.UseSocketMode)
            {
                await RunSocketModeAsync(stoppingToken).ConfigureAwait(false);
            }
            else
            {
                await using var endpoint = new SlackHttpEndpoint(this, services, _options, time);
                HttpAddress = await endpoint.StartAsync(stoppingToken).ConfigureAwait(false);
                LogListening(HttpAddress.Port);
                Ready.TrySetResult();
                bot.Connections.Connected(Platform.Slack);
                await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Let accepted work finish: one answer may tell a survivor they were heard. Whatever is still running
            // after the grace period is cancelled; the core then forgets the event rather than half-handling it.
            await DrainAsync(ShutdownGrace).ConfigureAwait(false);
            await _handling.CancelAsync().ConfigureAwait(false);
            await DrainAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _handling.Dispose();
        base.Dispose();
    }

    private async Task DrainAsync(TimeSpan limit)
    {
        var deadline = Task.Delay(limit, time, CancellationToken.None);
        // Work can start more work (a slow slash command's late answer), so look again until nothing is left.
        while (_inFlight.Keys.Where(t => !t.IsCompleted).ToList() is { Count: > 0 } running)
        {
            if (await Task.WhenAny(Task.WhenAll(running), deadline).ConfigureAwait(false) == deadline)
            {
                return;
            }
        }
    }

    private async Task RunSocketModeAsync(CancellationToken ct)
    {
        var backoff = FirstBackoff;
        var retiring = new List<Task>();
        while (!ct.IsCancellationRequested)
        {
            SlackSocket socket;
            try
            {
                var url = await api.OpenConnectionAsync(ct).ConfigureAwait(false);
                socket = await SlackSocket.ConnectAsync(url, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (SlackApiException e) when (e.IsConfigurationError)
            {
                LogConfigurationError(e.Method, e.Error);
                throw;
            }
            catch (Exception e)
            {
                LogConnectFailed(e.GetType().Name, backoff.TotalSeconds);
                await Task.Delay(backoff, time, ct).ConfigureAwait(false);
                backoff = Double(backoff);
                continue;
            }

            LogConnected();
            Ready.TrySetResult();
            bot.Connections.Connected(Platform.Slack);
            var connectedAt = time.GetTimestamp();
            var disconnect = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var run = socket.RunAsync(frame => OnEnvelope(socket, frame), reason => disconnect.TrySetResult(reason), ct);
            var first = await Task.WhenAny(run, disconnect.Task).ConfigureAwait(false);
            bot.Connections.Disconnected(Platform.Slack);

            // Only a connection that lasted resets the backoff: one that ends soon after hello counts as a failure,
            // so a Slack that keeps disconnecting us, or a network that keeps dropping, is not hammered.
            var stable = time.GetElapsedTime(connectedAt) > StableAfter;
            if (stable)
            {
                backoff = FirstBackoff;
            }

            if (first == disconnect.Task)
            {
                var reason = await disconnect.Task.ConfigureAwait(false);
                if (reason == "link_disabled")
                {
                    // Socket Mode was turned off for the app: reconnecting cannot help, and hammering Slack would not either.
                    await socket.DisposeAsync().ConfigureAwait(false);
                    await IgnoreFailureAsync(run).ConfigureAwait(false);
                    LogLinkDisabled();
                    break;
                }

                if (reason == "too_many_websockets")
                {
                    // At the limit another socket would be refused too: close this one first, then reconnect after a pause.
                    await socket.DisposeAsync().ConfigureAwait(false);
                    await IgnoreFailureAsync(run).ConfigureAwait(false);
                }
                else
                {
                    // The old connection keeps delivering (and acking) until it closes or retires, so nothing is lost meanwhile.
                    retiring.RemoveAll(t => t.IsCompleted);
                    retiring.Add(RetireAsync(socket, run, ct));
                    if (stable)
                    {
                        LogDisconnectAsked(reason, 0);
                        continue;
                    }
                }

                LogDisconnectAsked(reason, backoff.TotalSeconds);
            }
            else
            {
                await IgnoreFailureAsync(run).ConfigureAwait(false);
                await socket.DisposeAsync().ConfigureAwait(false);
                if (ct.IsCancellationRequested)
                {
                    break;
                }

                LogDropped(backoff.TotalSeconds);
            }

            try
            {
                await Task.Delay(backoff, time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }

            backoff = Double(backoff);
        }

        await Task.WhenAll(retiring).ConfigureAwait(false);
    }

    private async Task RetireAsync(SlackSocket socket, Task run, CancellationToken ct)
    {
        // A cancelled delay completes the wait too, so shutdown does not sit out the grace period.
        await Task.WhenAny(run, Task.Delay(RetireAfter, time, ct)).ConfigureAwait(false);
        await socket.DisposeAsync().ConfigureAwait(false);
        await IgnoreFailureAsync(run).ConfigureAwait(false);
    }

    private void OnEnvelope(SlackSocket socket, SocketFrame frame)
    {
        var envelopeId = frame.EnvelopeId!;
        // Not on the receive loop: the core's SQLite calls run synchronously, so core work run inline would stop the
        // loop reading (and acknowledging) the next envelopes while the database is slow.
        Track(Task.Run(() => frame.Type switch
        {
            "slash_commands" when Parse(frame.Payload, SlackJson.Default.SlashPayload) is { } command => AnswerSlashInAckAsync(socket, envelopeId, command),
            "events_api" => AckThenAsync(socket, envelopeId, () => HandleEventAsync(Parse(frame.Payload, SlackJson.Default.EventCallback))),
            "interactive" => AckThenAsync(socket, envelopeId, () => HandleInteractionAsync(Parse(frame.Payload, SlackJson.Default.InteractivePayload))),
            _ => AckThenAsync(socket, envelopeId, () => Task.CompletedTask),
        }));
    }

    private async Task AnswerSlashInAckAsync(SlackSocket socket, string envelopeId, SlashPayload command)
    {
        var answer = await HandleSlashCommandAsync(command).ConfigureAwait(false);
        await AckAsync(socket, envelopeId, answer).ConfigureAwait(false);
    }

    private async Task AckThenAsync(SlackSocket socket, string envelopeId, Func<Task> work)
    {
        // Ack first: Slack retries or shows an error after 3 seconds, and the core may be slower than that.
        await AckAsync(socket, envelopeId, null).ConfigureAwait(false);
        await work().ConfigureAwait(false);
    }

    private async Task AckAsync(SlackSocket socket, string envelopeId, JsonObject? payload)
    {
        try
        {
            await socket.AckAsync(envelopeId, payload, _stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Slack re-sends an envelope it has not seen acknowledged; the core drops the repeat.
            LogAckFailed(e.GetType().Name);
        }
    }

    /// <summary>
    /// Runs a slash command. When the answer is ready within <see cref="AnswerInAckBudget"/>, the actor's private answer
    /// is returned to be sent as the ack (or HTTP response); otherwise null is returned at once and the answer follows
    /// through response_url.
    /// </summary>
    internal async Task<JsonObject?> HandleSlashCommandAsync(SlashPayload command)
    {
        if (command.UserId is null || command.Command is null)
        {
            LogMalformed("slash command");
            return null;
        }

        // Task.Run because the core's SQLite calls run synchronously: run inline, a slow database would hold this
        // method before the budget below starts to count, and the ack (or HTTP response) would wait for it.
        var work = Task.Run(() => RunSlashCommandAsync(command));
        Track(work);
        var finished = await Task.WhenAny(work, Task.Delay(AnswerInAckBudget, time)).ConfigureAwait(false);
        if (finished != work)
        {
            LogSlowAnswer();
            Track(DeliverLaterAsync(work));
            return null;
        }

        var (replies, context) = await work.ConfigureAwait(false);
        JsonObject? inAck = null;
        var rest = new List<Reply>();
        foreach (var reply in replies)
        {
            if (inAck is null && context.IsActor(reply) && !reply.Blocks.OfType<FormBlock>().Any()
                && SlackRenderer.Render(reply) is [var only])
            {
                inAck = Ephemeral(only, replaceOriginal: false);
            }
            else
            {
                rest.Add(reply);
            }
        }

        if (rest.Count > 0)
        {
            Track(DeliverAsync(rest, context));
        }

        return inAck;
    }

    private async Task DeliverLaterAsync(Task<(IReadOnlyList<Reply> Replies, SlackContext Context)> work)
    {
        var (replies, context) = await work.ConfigureAwait(false);
        await DeliverAsync(replies, context).ConfigureAwait(false);
    }

    private async Task<(IReadOnlyList<Reply> Replies, SlackContext Context)> RunSlashCommandAsync(SlashPayload command)
    {
        var actor = await ActorAsync(command.UserId!, command.UserName).ConfigureAwait(false);
        var name = command.Command!.TrimStart('/');
        var inbound = new SlashCommand(actor, "slack:cmd:" + (command.TriggerId ?? Guid.NewGuid().ToString("N")), name, SplitArgs(name, command.Text ?? ""));
        var context = new SlackContext(actor, command.ResponseUrl, command.TriggerId, command.ChannelId);
        var replies = await bot.HandleAsync(inbound, _handling.Token).ConfigureAwait(false);
        return (replies, context);
    }

    /// <summary>An Events API callback: only direct messages written by a person reach the core.</summary>
    internal async Task HandleEventAsync(EventCallback? callback)
    {
        if (callback?.Event is not { } message || callback.EventId is null)
        {
            LogMalformed("event");
            return;
        }

        // Edits, deletions, bot posts (our own included) and anything outside a DM are not someone writing to us.
        if (message.Type != "message" || message.ChannelType != "im" || message.Subtype is not null || message.BotId is not null
            || message.User is null || message.User == _botUserId || message.Text is null)
        {
            return;
        }

        var actor = await ActorAsync(message.User, null).ConfigureAwait(false);
        var inbound = new DirectMessage(actor, "slack:event:" + callback.EventId, Unescape(message.Text));
        var replies = await bot.HandleAsync(inbound, _handling.Token).ConfigureAwait(false);
        await DeliverAsync(replies, new SlackContext(actor, null, null, message.Channel)).ConfigureAwait(false);
    }

    /// <summary>block_actions and view_submission, already acknowledged.</summary>
    internal async Task HandleInteractionAsync(InteractivePayload? payload)
    {
        if (payload?.User?.Id is not { } userId)
        {
            LogMalformed("interaction");
            return;
        }

        var actor = await ActorAsync(userId, payload.User.Username ?? payload.User.Name).ConfigureAwait(false);
        var context = new SlackContext(actor, payload.ResponseUrl, payload.TriggerId, payload.Container?.ChannelId)
        {
            OriginalIsEphemeral = payload.Container?.IsEphemeral == true,
        };
        Inbound? inbound = payload.Type switch
        {
            "block_actions" => ToAction(actor, payload),
            "view_submission" => ToForm(actor, payload),
            _ => null,
        };
        if (inbound is null)
        {
            return;
        }

        var replies = await bot.HandleAsync(inbound, _handling.Token).ConfigureAwait(false);
        await DeliverAsync(replies, context).ConfigureAwait(false);
    }

    private static ActionInvoked? ToAction(Actor actor, InteractivePayload payload)
    {
        if (payload.Actions is not [var action, ..] || action.ActionId is not { } actionId)
        {
            return null;
        }

        var eventId = "slack:action:" + (payload.TriggerId ?? $"{actor.Address.UserId}:{action.ActionTs}");
        if (actionId.StartsWith(SlackRenderer.DonePrefix, StringComparison.Ordinal))
        {
            // The "done" button under a checklist: the ticks of every checkbox group are in the message state.
            var selectId = actionId[SlackRenderer.DonePrefix.Length..];
            var groupPrefix = SlackRenderer.GroupPrefix + selectId + "/";
            var values = (payload.State?.Values ?? new Dictionary<string, IReadOnlyDictionary<string, ElementState>>())
                .Where(b => b.Key.StartsWith(groupPrefix, StringComparison.Ordinal))
                .SelectMany(b => b.Value.TryGetValue(selectId, out var state) ? state.SelectedOptions ?? [] : [])
                .Select(o => o.Value ?? "")
                .Where(v => v.Length > 0)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            return new ActionInvoked(actor, eventId, selectId, values);
        }

        return action.Type switch
        {
            // Each tick is only remembered by Slack until "done" is pressed.
            "checkboxes" or "multi_static_select" => null,
            "static_select" => new ActionInvoked(actor, eventId, actionId, action.SelectedOption?.Value is { } v ? [v] : []),
            _ => new ActionInvoked(actor, eventId, actionId, []),
        };
    }

    private static FormSubmitted? ToForm(Actor actor, InteractivePayload payload)
    {
        if (payload.View?.CallbackId is not { } formId)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (blockId, elements) in payload.View.State?.Values ?? new Dictionary<string, IReadOnlyDictionary<string, ElementState>>())
        {
            if (elements.TryGetValue(blockId, out var state))
            {
                fields[blockId] = state.Value ?? state.SelectedOption?.Value ?? "";
            }
        }

        return new FormSubmitted(actor, "slack:view:" + (payload.TriggerId ?? payload.View.Id ?? Guid.NewGuid().ToString("N")), formId, fields);
    }

    /// <summary>Answers the actor privately in place; every other reply goes through the router.</summary>
    private async Task DeliverAsync(IReadOnlyList<Reply> replies, SlackContext context)
    {
        var router = services.GetRequiredService<ReplyRouter>();
        foreach (var reply in replies)
        {
            try
            {
                if (context.IsActor(reply) && (context.ResponseUrl is not null || context.TriggerId is not null))
                {
                    await AnswerInPlaceAsync(reply, context).ConfigureAwait(false);
                }
                else
                {
                    await router.DeliverAsync(reply, _handling.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !_handling.IsCancellationRequested)
            {
                LogDeliveryFailed(e.GetType().Name, (e as SlackApiException)?.Error ?? "");
            }
        }
    }

    private async Task AnswerInPlaceAsync(Reply reply, SlackContext context)
    {
        foreach (var form in reply.Blocks.OfType<FormBlock>())
        {
            if (context.TriggerId is not null)
            {
                await api.OpenViewAsync(context.TriggerId, SlackRenderer.RenderModal(form), _handling.Token).ConfigureAwait(false);
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
            await services.GetRequiredService<ReplyRouter>().DeliverAsync(reply, _handling.Token).ConfigureAwait(false);
            return;
        }

        // Replacing a message everyone in a channel sees would show them this private answer: answer anew instead.
        var replace = reply.ReplacesOriginal && context.OriginalIsPrivate;
        for (var i = 0; i < messages.Count; i++)
        {
            await api.RespondAsync(context.ResponseUrl, Ephemeral(messages[i], replaceOriginal: i == 0 && replace), _handling.Token)
                .ConfigureAwait(false);
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

    private async Task<Actor> ActorAsync(string userId, string? username)
    {
        var isVolunteer = await volunteers.IsVolunteerAsync(userId, _handling.Token).ConfigureAwait(false);
        var name = await DisplayNameAsync(userId, _handling.Token).ConfigureAwait(false) ?? username;
        return new Actor(new Address(Platform.Slack, userId), string.IsNullOrWhiteSpace(name) ? userId : name, isVolunteer);
    }

    /// <summary>
    /// The name the person shows in Slack, which "use my name" should use; null when it cannot be had (no users:read
    /// scope, Slack slow or away), and the caller falls back to the username. Failures are remembered too, so a
    /// missing scope costs one call per person per <see cref="NameCacheFor"/>, not one per event.
    /// </summary>
    private async Task<string?> DisplayNameAsync(string userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_names.TryGetValue(userId, out var known) && now - known.At < NameCacheFor)
        {
            return known.Name;
        }

        string? name = null;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(NameLookupLimit);
        try
        {
            name = await api.GetUserNameAsync(userId, limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SlackApiException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            LogNameLookupFailed(e.GetType().Name, (e as SlackApiException)?.Error ?? "");
        }

        if (_names.Count > 10_000)
        {
            // Only a cache: dropping it all now and then keeps it from growing with every person ever seen.
            _names.Clear();
        }

        _names[userId] = (name, now);
        return name;
    }

    private async Task<string> DirectChannelAsync(string userId, CancellationToken ct)
    {
        if (_directChannels.TryGetValue(userId, out var channel))
        {
            return channel;
        }

        channel = await api.OpenDirectChannelAsync(userId, ct).ConfigureAwait(false);
        _directChannels[userId] = channel;
        return channel;
    }

    // The last option takes the rest of the text, so "/note she is safe now" keeps its spaces.
    private string[] SplitArgs(string name, string text)
    {
        var spec = bot.Commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
        var count = Math.Max(spec?.Options.Count ?? 1, 1);
        var trimmed = Unescape(text).Trim();
        return trimmed.Length == 0 ? [] : trimmed.Split(' ', count, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Slack escapes &amp;, &lt; and &gt; in text it sends; the core wants the words as written.</summary>
    private static string Unescape(string text) => WebUtility.HtmlDecode(text);

    private static T? Parse<T>(JsonElement? payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
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

    internal void Track(Task task)
    {
        _inFlight.TryAdd(task, 0);
        task.ContinueWith(t =>
        {
            _inFlight.TryRemove(t, out _);
            if (t.Exception is { } e && !_handling.IsCancellationRequested)
            {
                LogHandlingFailed(e.InnerException?.GetType().Name ?? e.GetType().Name);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<T> WithBackoffAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        var backoff = FirstBackoff;
        while (true)
        {
            try
            {
                return await call(ct).ConfigureAwait(false);
            }
            catch (SlackApiException e) when (e.IsConfigurationError)
            {
                LogConfigurationError(e.Method, e.Error);
                throw;
            }
            catch (Exception e) when (e is SlackApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                LogConnectFailed(e.GetType().Name, backoff.TotalSeconds);
                await Task.Delay(backoff, time, ct).ConfigureAwait(false);
                backoff = Double(backoff);
            }
        }
    }

    private static TimeSpan Double(TimeSpan backoff) => backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;

    private async Task IgnoreFailureAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Whatever ended one connection, the loop reconnects; only the kind of failure is worth a log line.
            if (e is not (System.Net.WebSockets.WebSocketException or OperationCanceledException or ObjectDisposedException))
            {
                LogHandlingFailed(e.GetType().Name);
            }
        }
    }

    /// <summary>Where an interaction came from, so the actor's private answer can be given in place.</summary>
    private sealed record SlackContext(Actor Actor, string? ResponseUrl, string? TriggerId, string? ChannelId)
    {
        public bool InDirectMessage => ChannelId?.StartsWith('D') == true;

        /// <summary>Whether the message the interaction came from was ephemeral (container.is_ephemeral).</summary>
        public bool OriginalIsEphemeral { get; init; }

        /// <summary>Only the actor sees the original message, so replacing it shows no one else anything.</summary>
        public bool OriginalIsPrivate => OriginalIsEphemeral || InDirectMessage;

        public bool IsActor(Reply reply) => reply.Audience is Audience.OnlyActor only && only.User == Actor.Address;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack Socket Mode connected")]
    private partial void LogConnected();

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack HTTP mode listening on port {Port}")]
    private partial void LogListening(int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack asked to disconnect ({Reason}); opening a fresh connection in {Seconds} s")]
    private partial void LogDisconnectAsked(string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Slack disabled the Socket Mode link; turn Socket Mode back on for the app and restart")]
    private partial void LogLinkDisabled();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack Socket Mode connection dropped; reconnecting in {Seconds} s")]
    private partial void LogDropped(double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connecting to Slack failed ({Failure}); retrying in {Seconds} s")]
    private partial void LogConnectFailed(string failure, double seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Slack refused the configured credentials on {Method}: {Error}")]
    private partial void LogConfigurationError(string method, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acknowledging a Slack envelope failed ({Failure}); Slack will re-send it")]
    private partial void LogAckFailed(string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a malformed Slack {Kind}")]
    private partial void LogMalformed(string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "A slash command took longer than the ack allows; its answer follows by response_url")]
    private partial void LogSlowAnswer();

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivering a reply on Slack failed ({Failure} {Error})")]
    private partial void LogDeliveryFailed(string failure, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a Slack envelope failed ({Failure})")]
    private partial void LogHandlingFailed(string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking up a Slack user's name failed ({Failure} {Error}); using their username")]
    private partial void LogNameLookupFailed(string failure, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A volunteer notice was not sent on Slack: Slack:VolunteerChannelId is not set")]
    private partial void LogNoVolunteerChannel();

    [LoggerMessage(Level = LogLevel.Warning, Message = "A form reached Slack without an interaction to open it from; it was left out")]
    private partial void LogFormWithoutTrigger();
}
