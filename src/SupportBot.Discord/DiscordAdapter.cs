using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>
/// The Discord adapter: keeps a gateway session alive (its receive loop is this background service), turns
/// interactions and direct messages into core events, answers interactions in place within Discord's three
/// seconds, and delivers every other reply as a message.
/// </summary>
internal sealed partial class DiscordAdapter : BackgroundService, IChatAdapter
{
    /// <summary>Discord drops an interaction not answered within 3 s; after this long the adapter defers first.</summary>
    internal static readonly TimeSpan DeferAfter = TimeSpan.FromSeconds(2);

    /// <summary>How long stopping waits for events already received: the gateway will not deliver them again.</summary>
    internal static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a session must have lasted for the backoff to start again from zero. A session closed soon after
    /// READY (4009, say) would otherwise identify in a tight loop, and Discord caps identifies per day.
    /// </summary>
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan VolunteerCacheFor = TimeSpan.FromSeconds(60);

    private readonly Bot _bot;
    private readonly IServiceProvider _services;
    private readonly DiscordApi _api;
    private readonly DiscordOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DiscordAdapter> _logger;
    private readonly DiscordGateway _gateway;
    private readonly HashSet<string> _volunteerUsers;
    private readonly Channel<WireMessage> _directMessages = Channel.CreateUnbounded<WireMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, string> _dmChannels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (bool IsVolunteer, long Until)> _roleCache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();

    // Cancelled a grace period after stopping begins, not at once: received events are finished first.
    private readonly CancellationTokenSource _grace;
    private int _warnedNoVolunteerChannel;

    public DiscordAdapter(
        Bot bot, IServiceProvider services, DiscordApi api, IOptions<DiscordOptions> options, TimeProvider time, ILogger<DiscordAdapter> logger)
    {
        _bot = bot;
        _services = services;
        _api = api;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _volunteerUsers = new HashSet<string>(_options.VolunteerUserIds, StringComparer.Ordinal);
        _gateway = new DiscordGateway(_options, time, logger) { OnDispatch = OnDispatchAsync, OnEstablished = () => bot.Connections.Connected(Platform.Discord) };
        _grace = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    public Platform Platform => Platform.Discord;

    // The router depends on every adapter, this one included, so it is resolved when first needed.
    private ReplyRouter Router => _services.GetRequiredService<ReplyRouter>();

    public async Task SendAsync(Reply reply, CancellationToken ct)
    {
        string? channel = reply.Audience switch
        {
            Audience.Volunteers => VolunteerChannel(),
            Audience.Direct { User.Platform: Platform.Discord } d => await DmChannelAsync(d.User.UserId, ct).ConfigureAwait(false),
            Audience.OnlyActor { User.Platform: Platform.Discord } o => await DmChannelAsync(o.User.UserId, ct).ConfigureAwait(false),
            _ => null,
        };
        if (channel is null)
        {
            return;
        }

        foreach (var message in DiscordRenderer.Render(reply))
        {
            await _api.CreateMessageAsync(channel, DiscordRenderer.Body(message, ephemeral: false), ct).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(_inFlight.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        base.Dispose();
        _gateway.Dispose();
        _grace.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var graceStarts = stoppingToken.Register(() => _grace.CancelAfter(ShutdownGrace));
        var directMessages = ProcessDirectMessagesAsync(_grace.Token);
        var failures = 0;
        var registered = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            try
            {
                // Inside the loop so that Discord being unreachable at start is retried like any dropped connection.
                if (!registered)
                {
                    await RegisterCommandsAsync(stoppingToken).ConfigureAwait(false);
                    registered = true;
                }

                var url = _gateway.ResumeUrl ?? await GatewayUrlAsync(stoppingToken).ConfigureAwait(false);
                await _gateway.RunAsync(url, stoppingToken).ConfigureAwait(false);
            }
            catch (DiscordFatalException e)
            {
                throw Fatal(e);
            }
            catch (DiscordApiException e) when (e.Status == HttpStatusCode.Unauthorized)
            {
                throw Fatal(new DiscordFatalException("Discord rejected the token (401): check Discord:Token. The Discord adapter has stopped."));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Only the kind of failure is logged: messages of socket errors can carry the gateway address.
                LogConnectionFailed(e.GetType().Name);
            }

            _bot.Connections.Disconnected(Platform.Discord);
            failures = _gateway.Established && _time.GetElapsedTime(started) >= StableAfter ? 0 : failures + 1;
            if (failures > 0 && !stoppingToken.IsCancellationRequested)
            {
                // Exponential backoff with jitter, so a restarting Discord is not met by every bot at once.
                var delay = TimeSpan.FromMilliseconds(Math.Min(60_000, 500 * Math.Pow(2, failures - 1)) * (0.5 + (Random.Shared.NextDouble() / 2)));
                LogBackoff(failures, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        _directMessages.Writer.TryComplete();
        try
        {
            await directMessages.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private DiscordFatalException Fatal(DiscordFatalException e)
    {
        LogFatal(e.Message);
        _directMessages.Writer.TryComplete();
        return e;
    }

    private async Task<string> GatewayUrlAsync(CancellationToken ct)
    {
        var gateway = await _api.GetGatewayBotAsync(ct).ConfigureAwait(false);
        if (!_gateway.CanResume && gateway.SessionStartLimit is { Remaining: <= 0 } limit)
        {
            // Identifying past the daily session-start limit resets the token; wait for the window instead.
            LogSessionLimit(limit.ResetAfter);
            await Task.Delay(TimeSpan.FromMilliseconds(limit.ResetAfter), _time, ct).ConfigureAwait(false);
        }

        return gateway.Url;
    }

    private async Task RegisterCommandsAsync(CancellationToken ct)
    {
        var guild = _options.GuildId.Length > 0 ? _options.GuildId : null;
        var commands = _bot.Commands.Select(spec => new ApplicationCommand(
            spec.Name,
            DiscordRenderer.Cut(spec.Description, 100),
            1,
            spec.Options.OrderByDescending(o => o.Required) // Discord wants required options first; args are mapped by name.
                .Select(o => new ApplicationCommandOption(3, o.Name, DiscordRenderer.Cut(o.Description, 100), o.Required,
                    o.Choices?.Take(25).Select(c => new CommandChoice(c, c)).ToList()))
                .ToList(),
            Contexts: guild is null ? [0, 1] : null, // guild commands cannot be offered in DMs at all
            IntegrationTypes: guild is null ? [0] : null)).ToList();
        try
        {
            await _api.OverwriteCommandsAsync(guild, commands, ct).ConfigureAwait(false);
            LogCommandsRegistered(commands.Count, guild is null ? "globally" : "in the configured guild");
        }
        catch (DiscordApiException e) when (e.Status != HttpStatusCode.Unauthorized)
        {
            // The bot still answers commands registered earlier; a broken registration must not silence it.
            LogCommandsFailed(e.Message);
        }
    }

    private Task OnDispatchAsync(string name, JsonElement data)
    {
        try
        {
            switch (name)
            {
                case "INTERACTION_CREATE":
                    var interaction = data.Deserialize(DiscordJson.Default.WireInteraction);
                    if (interaction is not null)
                    {
                        Track(HandleInteractionAsync(interaction, _grace.Token));
                    }

                    break;
                case "MESSAGE_CREATE":
                    var message = data.Deserialize(DiscordJson.Default.WireMessage);
                    if (message is { GuildId: null, Author: { Bot: not true } author } && author.Id != _gateway.BotUserId)
                    {
                        _directMessages.Writer.TryWrite(message);
                    }

                    break;
            }
        }
        catch (JsonException)
        {
            LogMalformed(name);
        }

        return Task.CompletedTask;
    }

    private void Track(Task task)
    {
        _inFlight.TryAdd(task, 0);
        _ = task.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // Direct messages are handled one at a time, in order: a relay must not swap two lines of a conversation.
    // The queue ends when the gateway stops; what is in it by then is still handled, within the grace period.
    private async Task ProcessDirectMessagesAsync(CancellationToken ct)
    {
        await foreach (var message in _directMessages.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                var author = message.Author!;
                _dmChannels[author.Id] = message.ChannelId;
                var actor = await ActorAsync(author, null, ct).ConfigureAwait(false);
                var inbound = new DirectMessage(actor, "discord:message:" + message.Id, message.Content ?? "");
                foreach (var reply in await _bot.HandleAsync(inbound, ct).ConfigureAwait(false))
                {
                    await DeliverEachAsync(() => Router.DeliverAsync(reply, ct), ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                LogUnhandledAtStop(_directMessages.Reader.Count + 1);
                return;
            }
            catch (Exception e)
            {
                LogDeliveryFailed(Kind(e), "direct message");
            }
        }
    }

    private async Task HandleInteractionAsync(WireInteraction interaction, CancellationToken ct)
    {
        try
        {
            await Task.Yield(); // never run handling on the gateway's receive loop
            if ((interaction.Member?.User ?? interaction.User) is not { } user)
            {
                return;
            }

            // The deadline starts first. The volunteer lookup is a REST call and the store's "async" calls run
            // synchronously, so both run on the thread pool where they cannot hold back the deferral.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var timer = Task.Delay(DeferAfter, _time, deadline.Token);
            var handling = Task.Run(
                async () =>
                {
                    var actor = await ActorAsync(user, interaction.Member, ct).ConfigureAwait(false);
                    return ToInbound(interaction, actor) is { } inbound ? await _bot.HandleAsync(inbound, ct).ConfigureAwait(false) : null;
                },
                ct);
            var state = new Answer(interaction);
            var first = await Task.WhenAny(handling, timer).ConfigureAwait(false);
            await deadline.CancelAsync().ConfigureAwait(false);
            if (first != handling)
            {
                // Components keep their message until the answer is known; commands and forms show "thinking…".
                // A failed deferral costs the in-place answer, never the replies routed to others.
                var defer = interaction.Type == 3 ? new InteractionCallback(6) : new InteractionCallback(5, new MessageBody(Flags: state.Flags));
                await DeliverEachAsync(
                    async () =>
                    {
                        await _api.InteractionCallbackAsync(interaction.Id, interaction.Token, defer, ct).ConfigureAwait(false);
                        state.Answered = true;
                        state.Deferred = true;
                        LogDeferred(interaction.Type);
                    },
                    ct).ConfigureAwait(false);
            }

            var replies = await handling.ConfigureAwait(false) ?? [];
            var actor = new Address(Platform.Discord, user.Id);
            foreach (var reply in replies)
            {
                var inPlace = reply.Audience is Audience.OnlyActor only && only.User == actor;
                await DeliverEachAsync(() => inPlace ? AnswerInPlaceAsync(state, reply, ct) : Router.DeliverAsync(reply, ct), ct)
                    .ConfigureAwait(false);
            }

            if (!state.Answered && interaction.Type == 3)
            {
                // Nothing to say (a repeated press): acknowledge so the button stops spinning.
                await _api.InteractionCallbackAsync(interaction.Id, interaction.Token, new InteractionCallback(6), ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception e)
        {
            LogDeliveryFailed(Kind(e), "interaction");
        }
    }

    /// <summary>
    /// Delivers one reply and logs its failure, so that one closed DM (403) does not cost the other recipients
    /// their messages: the survivor's crisis lines, or "a volunteer joined".
    /// </summary>
    private async Task DeliverEachAsync(Func<Task> deliver, CancellationToken ct)
    {
        try
        {
            await deliver().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            LogDeliveryFailed(Kind(e), "reply");
        }
    }

    // The kind of failure only: exception messages can carry paths, and paths carry interaction tokens.
    private static string Kind(Exception e) => e is DiscordApiException api ? $"HTTP {(int)api.Status}" : e.GetType().Name;

    private async Task AnswerInPlaceAsync(Answer state, Reply reply, CancellationToken ct)
    {
        var interaction = state.Interaction;
        if (DiscordRenderer.FindForm(reply) is { } form && !state.Answered && interaction.Type != 5)
        {
            await _api.InteractionCallbackAsync(interaction.Id, interaction.Token, new InteractionCallback(9, DiscordRenderer.Modal(form)), ct)
                .ConfigureAwait(false);
            state.Answered = true;
            return;
        }

        foreach (var message in DiscordRenderer.Render(reply))
        {
            if (!state.Answered)
            {
                var update = reply.ReplacesOriginal && state.CanReplace;
                var callback = new InteractionCallback(update ? 7 : 4, DiscordRenderer.Body(message, ephemeral: !update && state.Ephemeral));
                await _api.InteractionCallbackAsync(interaction.Id, interaction.Token, callback, ct).ConfigureAwait(false);
                state.Answered = true;
                state.OriginalUsed = true;
            }
            else if (state.Deferred && !state.OriginalUsed && (interaction.Type != 3 || (reply.ReplacesOriginal && state.CanReplace)))
            {
                // Fill the "thinking…" message, or update the pressed message as the reply asks.
                await _api.EditOriginalAsync(interaction.Token, DiscordRenderer.Body(message, ephemeral: false), ct).ConfigureAwait(false);
                state.OriginalUsed = true;
            }
            else
            {
                await _api.FollowUpAsync(interaction.Token, DiscordRenderer.Body(message, ephemeral: state.Ephemeral), ct).ConfigureAwait(false);
            }
        }
    }

    private Inbound? ToInbound(WireInteraction interaction, Actor actor)
    {
        var eventId = "discord:interaction:" + interaction.Id;
        var data = interaction.Data;
        switch (interaction.Type)
        {
            case 2 when data?.Name is { } name:
                var options = data.Options ?? [];
                var spec = _bot.Commands.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
                var args = spec is null
                    ? options.Select(o => Text(o.Value)).ToList()
                    : spec.Options.Select(so => Text(options.FirstOrDefault(o => o.Name == so.Name)?.Value)).ToList();
                while (args.Count > 0 && args[^1].Length == 0)
                {
                    args.RemoveAt(args.Count - 1);
                }

                return new SlashCommand(actor, eventId, name, args);
            case 3 when data?.CustomId is { } customId:
                return new ActionInvoked(actor, eventId, customId, data.Values ?? []);
            case 5 when data?.CustomId is { } formId:
                return new FormSubmitted(actor, eventId, formId, ReadFields(data.Components));
            default:
                return null;
        }
    }

    /// <summary>The values of a submitted modal by input id. Inputs sit in action rows (older format) or labels (current).</summary>
    internal static IReadOnlyDictionary<string, string> ReadFields(IReadOnlyList<WireComponent>? components)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        CollectFields(components, fields);
        return fields;
    }

    private static void CollectFields(IReadOnlyList<WireComponent>? components, Dictionary<string, string> fields)
    {
        foreach (var c in components ?? [])
        {
            if (c.CustomId is { } id && (c.Value ?? (c.Values is { } values ? string.Join(",", values) : null)) is { } value)
            {
                fields[id] = value;
            }

            CollectFields(c.Components, fields);
            if (c.Component is { } inner)
            {
                CollectFields([inner], fields);
            }
        }
    }

    private static string Text(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString() ?? "",
        { ValueKind: JsonValueKind.Undefined or JsonValueKind.Null } => "",
        { } v => v.GetRawText(),
        null => "",
    };

    private async Task<Actor> ActorAsync(WireUser user, WireMember? member, CancellationToken ct)
    {
        var name = member?.Nick ?? user.GlobalName ?? user.Username ?? user.Id;
        var volunteer = await IsVolunteerAsync(user.Id, member?.Roles, ct).ConfigureAwait(false);
        return new Actor(new Address(Platform.Discord, user.Id), name, volunteer);
    }

    /// <summary>
    /// Listed users are volunteers everywhere. Otherwise the role decides: from the member in a guild event, or for
    /// a DM (no member) from the configured guild over REST, cached for a minute. Lookup failures fail closed.
    /// </summary>
    private async Task<bool> IsVolunteerAsync(string userId, IReadOnlyList<string>? roles, CancellationToken ct)
    {
        if (_volunteerUsers.Contains(userId))
        {
            return true;
        }

        var role = _options.VolunteerRoleId;
        if (role.Length == 0)
        {
            return false;
        }

        if (roles is not null)
        {
            return roles.Contains(role, StringComparer.Ordinal);
        }

        if (_options.GuildId.Length == 0)
        {
            return false;
        }

        var now = _time.GetTimestamp();
        if (_roleCache.TryGetValue(userId, out var cached) && cached.Until > now)
        {
            return cached.IsVolunteer;
        }

        try
        {
            var member = await _api.GetGuildMemberAsync(_options.GuildId, userId, ct).ConfigureAwait(false);
            var isVolunteer = member?.Roles?.Contains(role, StringComparer.Ordinal) == true;
            _roleCache[userId] = (isVolunteer, now + (long)(VolunteerCacheFor.TotalSeconds * _time.TimestampFrequency));
            return isVolunteer;
        }
        catch (Exception e) when (e is DiscordApiException or HttpRequestException)
        {
            LogVolunteerLookupFailed(e.GetType().Name);
            return false;
        }
    }

    // Warned once: every notice would otherwise repeat it.
    private string? VolunteerChannel()
    {
        if (_options.VolunteerChannelId.Length > 0)
        {
            return _options.VolunteerChannelId;
        }

        if (Interlocked.Exchange(ref _warnedNoVolunteerChannel, 1) == 0)
        {
            LogNoVolunteerChannel();
        }

        return null;
    }

    private async Task<string> DmChannelAsync(string userId, CancellationToken ct)
    {
        if (_dmChannels.TryGetValue(userId, out var channel))
        {
            return channel;
        }

        channel = await _api.CreateDmChannelAsync(userId, ct).ConfigureAwait(false);
        _dmChannels[userId] = channel;
        return channel;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Reason}")]
    private partial void LogFatal(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway connection failed ({Kind})")]
    private partial void LogConnectionFailed(string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnecting to Discord after {Failures} failed attempts in {DelayMs} ms")]
    private partial void LogBackoff(int failures, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord session start limit reached; waiting {ResetAfterMs} ms")]
    private partial void LogSessionLimit(long resetAfterMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered {Count} Discord commands {Where}")]
    private partial void LogCommandsRegistered(int count, string where);

    [LoggerMessage(Level = LogLevel.Error, Message = "Registering Discord commands failed: {Problem}")]
    private partial void LogCommandsFailed(string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a malformed Discord {Event}")]
    private partial void LogMalformed(string @event);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deferred a Discord interaction of type {Type}")]
    private partial void LogDeferred(int type);

    [LoggerMessage(Level = LogLevel.Error, Message = "Answering a Discord {What} failed ({Kind})")]
    private partial void LogDeliveryFailed(string kind, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord:VolunteerChannelId is not set: volunteer notices are not posted on Discord (volunteers can use /queue)")]
    private partial void LogNoVolunteerChannel();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped with {Count} Discord direct messages unhandled after the grace period")]
    private partial void LogUnhandledAtStop(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking up a Discord volunteer role failed ({Kind}); treating as not a volunteer")]
    private partial void LogVolunteerLookupFailed(string kind);

    /// <summary>How far an interaction has been answered: Discord allows one initial response, then edits and follow-ups.</summary>
    private sealed class Answer(WireInteraction interaction)
    {
        public WireInteraction Interaction { get; } = interaction;

        /// <summary>
        /// Whether answers must be ephemeral (flag 64): everywhere but the bot's own DM with the user, which is private
        /// already and where a survivor's "queued / End conversation" message must not vanish on reload.
        /// A user-installed app in a group DM (context 2) has no guild either, and stays ephemeral.
        /// </summary>
        public bool Ephemeral => Interaction.GuildId is not null || Interaction.Context is not 1;

        public int? Flags => Ephemeral ? 64 : null;

        /// <summary>A press may replace its message only when that message is private: ephemeral, or in the DM.</summary>
        public bool CanReplace => Interaction.Type == 3 && (!Ephemeral || (Interaction.Message?.Flags & 64) == 64);

        public bool Answered { get; set; }

        public bool Deferred { get; set; }

        public bool OriginalUsed { get; set; }
    }
}
