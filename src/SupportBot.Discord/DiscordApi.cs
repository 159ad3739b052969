using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>A REST call Discord refused. It names the kind of call, never its path: interaction paths carry tokens.</summary>
public sealed class DiscordApiException(HttpStatusCode status, string what, int? code)
    : Exception($"Discord answered {(int)status} to {what}{(code is null ? "" : $" (code {code})")}.")
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>Discord's JSON error code, when it sent one (10062: unknown interaction, as after its 3 s).</summary>
    public int? Code { get; } = code;

    /// <summary>The kind of a failure, for a log line: exception messages can carry paths, and paths carry interaction tokens.</summary>
    public static string KindOf(Exception e) => e is DiscordApiException api ? $"HTTP {(int)api.Status}" : e.GetType().Name;
}

/// <summary>
/// Discord's REST API over one <see cref="HttpClient"/>. Each route waits for its rate-limit bucket to reset before
/// the next request, 429s are honoured (per route or globally) and 5xx answers are retried with backoff.
/// Interaction endpoints (callback, follow-up, @original) are keyed by a token that lives one interaction and are
/// not bound to the global limit (rate-limits docs): they keep no bucket, never wait for the global reset or the
/// client-side <see cref="GlobalRequestLimit"/>, and have their own connection pool so a flood of DMs never holds
/// up an answer Discord expects within three seconds.
/// </summary>
internal sealed partial class DiscordApi : IDisposable
{
    private const int MaxAttempts = 4;

    // Each pool reuses at most this many keep-alive connections; more concurrent requests queue for one. Without a cap a
    // burst opened a connection per request (about 19,700 for 20,000 interactions) until the descriptors ran out.
    private const int MaxConnectionsPerPool = 32;

    // Past this many rate-limit routes (one per DM channel), idle ones that hold back nothing are forgotten (see _sweepAt).
    internal const int MaxTrackedRoutes = 1024;

    private readonly HttpClient _http;
    private readonly HttpClient _interactions;

    // Interaction requests wait here for one of their pool's connections instead of inside HttpClient, so what a
    // request still means is decided when it can go: in a burst, an initial response that waited past Discord's
    // three seconds would only be refused (10062), and its request is better spent on one still in time.
    private readonly SemaphoreSlim _interactionSlots = new(MaxConnectionsPerPool, MaxConnectionsPerPool);
    private readonly GlobalRequestLimit _globalLimit;
    private readonly DiscordOptions _options;

    /// <summary>The Authorization header's value, made once.</summary>
    private readonly string _authorization;
    private readonly TimeProvider _time;
    private readonly ILogger<DiscordApi> _logger;
    private readonly Dictionary<string, RouteState> _routes = new(StringComparer.Ordinal);

    // The count at which idle routes are next looked for: after a sweep, twice what it left, so a burst whose routes
    // are all still sending is not swept again for every new route (a scan of thousands per first DM, perf9).
    private int _sweepAt = MaxTrackedRoutes;
    private long _globalResetAt;

    public DiscordApi(IOptions<DiscordOptions> options, TimeProvider time, ILogger<DiscordApi> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _globalLimit = new GlobalRequestLimit(_options.GlobalRequestsPerSecond, time);
        _authorization = "Bot " + _options.Token;
        _http = NewClient(_options.ApiBaseUrl);
        _interactions = NewClient(_options.ApiBaseUrl);
    }

    private static HttpClient NewClient(string baseUrl)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = MaxConnectionsPerPool,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            // Discord's API answers where it is asked and needs no cookies: each of these is a step of every request
            // otherwise (a redirect handler around the send, Set-Cookie read from every answer).
            AllowAutoRedirect = false,
            UseCookies = false,
        };
        var client = new HttpClient(handler)
        {
            BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"),
            Timeout = TimeSpan.FromSeconds(15),
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("DiscordBot (https://github.com/supportbot/supportbot, 1.0)");
        return client;
    }

    internal async Task<GatewayBot> GetGatewayBotAsync(CancellationToken ct) =>
        await SendAsync(HttpMethod.Get, "gateway/bot", "gateway/bot", null, DiscordJson.Default.GatewayBot, "get gateway", ct)
        ?? throw new DiscordApiException(HttpStatusCode.OK, "get gateway", null);

    internal async Task<string> CreateDmChannelAsync(string userId, CancellationToken ct)
    {
        var body = JsonContent(new CreateDm(userId), DiscordJson.Default.CreateDm);
        var channel = await SendAsync(HttpMethod.Post, "users/@me/channels", "users/@me/channels", body, DiscordJson.Default.WireChannel, "create DM", ct)
            ;
        return channel?.Id ?? throw new DiscordApiException(HttpStatusCode.OK, "create DM", null);
    }

    // Retried on 5xx like every call, although Discord may have created the message before failing: the body's nonce
    // (DiscordSender) makes Discord return that message instead of creating it again.
    internal Task CreateMessageAsync(string channelId, MessageBody message, CancellationToken ct)
    {
        var path = $"channels/{channelId}/messages";
        return SendAsync<WireChannel>(HttpMethod.Post, path, path, JsonContent(message, DiscordJson.Default.MessageBody), null, "create message", ct);
    }

    /// <summary>
    /// Every message in a channel after <paramref name="after"/> (a message id or a time as a snowflake), oldest first.
    /// Discord answers a page of at most 100, newest first, counting from just after the id; the next page starts
    /// after the newest one seen.
    /// </summary>
    internal async Task<IReadOnlyList<WireMessage>> GetMessagesAfterAsync(string channelId, ulong after, CancellationToken ct)
    {
        const int PageSize = 100;
        var found = new List<(ulong Id, WireMessage Message)>();
        while (true)
        {
            var page = await SendAsync(HttpMethod.Get, $"channels/{channelId}/messages?after={after}&limit={PageSize}", $"GET channels/{channelId}/messages",
                null, DiscordJson.Default.IReadOnlyListWireMessage, "read DM history", ct) ?? [];
            var newest = after;
            foreach (var message in page)
            {
                if (ulong.TryParse(message.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > after)
                {
                    found.Add((id, message));
                    newest = Math.Max(newest, id);
                }
            }

            // A short page is the last; one that moved nothing forward would repeat for ever.
            if (page.Count < PageSize || newest == after)
            {
                return found.OrderBy(m => m.Id).Select(m => m.Message).ToList();
            }

            after = newest;
        }
    }

    internal Task InteractionCallbackAsync(string interactionId, string token, InteractionCallback callback, CancellationToken ct) =>
        InteractionCallbackAsync(interactionId, token, callback, static () => true, ct);

    /// <summary>
    /// Sends an interaction's initial response once a connection is free, if <paramref name="stillDue"/> then says it
    /// is still wanted (in time, not made needless meanwhile); false when it was not sent. <paramref name="stopWaiting"/>
    /// ends only the wait for a connection: a request once sent is never cancelled by it, as Discord may have taken it.
    /// </summary>
    internal async Task<bool> InteractionCallbackAsync(
        string interactionId, string token, InteractionCallback callback, Func<bool> stillDue, CancellationToken ct, CancellationToken stopWaiting = default)
    {
        if (stopWaiting.CanBeCanceled)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, stopWaiting);
            await _interactionSlots.WaitAsync(either.Token);
        }
        else
        {
            await _interactionSlots.WaitAsync(ct);
        }

        try
        {
            if (!stillDue())
            {
                return false;
            }

            await SendAsync<WireChannel>(HttpMethod.Post, $"interactions/{interactionId}/{token}/callback", null,
                JsonContent(callback, DiscordJson.Default.InteractionCallback), null, "interaction callback", ct, retryServerErrors: false);
            return true;
        }
        finally
        {
            _interactionSlots.Release();
        }
    }

    internal Task EditOriginalAsync(string token, MessageBody message, CancellationToken ct) =>
        InSlotAsync(() => SendAsync<WireChannel>(HttpMethod.Patch, $"webhooks/{_options.ApplicationId}/{token}/messages/@original", null,
            JsonContent(message, DiscordJson.Default.MessageBody), null, "edit interaction response", ct), ct);

    internal Task FollowUpAsync(string token, MessageBody message, CancellationToken ct) =>
        InSlotAsync(() => SendAsync<WireChannel>(HttpMethod.Post, $"webhooks/{_options.ApplicationId}/{token}", null,
            JsonContent(message, DiscordJson.Default.MessageBody), null, "follow-up", ct), ct);

    internal Task OverwriteCommandsAsync(string? guildId, IReadOnlyList<ApplicationCommand> commands, CancellationToken ct)
    {
        var path = guildId is null
            ? $"applications/{_options.ApplicationId}/commands"
            : $"applications/{_options.ApplicationId}/guilds/{guildId}/commands";
        return SendAsync<WireChannel>(HttpMethod.Put, path, path, JsonContent(commands, DiscordJson.Default.IReadOnlyListApplicationCommand), null,
            "register commands", ct);
    }

    /// <summary>A guild member, or null when the user is not in the guild.</summary>
    internal async Task<WireMember?> GetGuildMemberAsync(string guildId, string userId, CancellationToken ct)
    {
        try
        {
            return await SendAsync(HttpMethod.Get, $"guilds/{guildId}/members/{userId}", $"guilds/{guildId}/members",
                null, DiscordJson.Default.WireMember, "get guild member", ct);
        }
        catch (DiscordApiException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>How many rate-limit routes are tracked; interaction endpoints add none.</summary>
    internal int KnownRoutes
    {
        get
        {
            lock (_routes)
            {
                return _routes.Count;
            }
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _interactions.Dispose();
        _interactionSlots.Dispose();
        _globalLimit.Dispose();
    }

    private async Task InSlotAsync(Func<Task> send, CancellationToken ct)
    {
        await _interactionSlots.WaitAsync(ct);
        try
        {
            await send();
        }
        finally
        {
            _interactionSlots.Release();
        }
    }

    private static byte[] JsonContent<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    // route is the rate-limit route, or null for an interaction endpoint: its token authenticates it (no bot token is
    // sent) and its state lives for this call only, so a 429 is still honoured but nothing accumulates per interaction.
    // retryServerErrors is false for interaction callbacks: a retry after backoff lands past Discord's three seconds.
    private async Task<T?> SendAsync<T>(
        HttpMethod method, string path, string? route, byte[]? body, JsonTypeInfo<T>? resultType, string what, CancellationToken ct,
        bool retryServerErrors = true)
    {
        if (route is null)
        {
            // An interaction endpoint's state lives for this call only: nobody else can wait on its gate.
            return await SendOnRouteAsync(new RouteState(), method, path, route, body, resultType, what, retryServerErrors, ct);
        }

        RouteState? state;
        lock (_routes)
        {
            if (!_routes.TryGetValue(route, out state))
            {
                if (_routes.Count >= _sweepAt)
                {
                    ForgetIdleRoutes();
                    _sweepAt = Math.Max(MaxTrackedRoutes, 2 * _routes.Count);
                }

                state = new RouteState();
                _routes.Add(route, state);
            }
        }

        // One request at a time per route, so a bucket's remaining count is never spent twice.
        await state.Gate.WaitAsync(ct);
        try
        {
            return await SendOnRouteAsync(state, method, path, route, body, resultType, what, retryServerErrors, ct);
        }
        finally
        {
            state.Gate.Release();
        }
    }

    private async Task<T?> SendOnRouteAsync<T>(
        RouteState state, HttpMethod method, string path, string? route, byte[]? body, JsonTypeInfo<T>? resultType, string what,
        bool retryServerErrors, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await WaitForBucketAsync(state, global: route is not null, ct);
            using var counted = route is null ? null : await _globalLimit.WaitAsync(ct);
            // A request (and its content) is single use, so every attempt builds its own.
            using var request = new HttpRequestMessage(method, path);
            // Both headers as text, never parsed: typed header values were made and validated on every request (about
            // 1 % of a durable DM's CPU, perf8), and both values are ours and fixed.
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            }

            if (route is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", _authorization);
            }

            using var response = await (route is null ? _interactions : _http).SendAsync(request, ct);
            if (route is not null || !response.IsSuccessStatusCode)
            {
                // An interaction endpoint's bucket matters only to a retry of this call; parsing its headers on every
                // answer was needless work in a burst.
                ReadBucket(state, response);
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < MaxAttempts)
            {
                await ReadTooManyRequestsAsync(state, response, what, global: route is not null, ct);
                continue;
            }

            if ((int)response.StatusCode >= 500 && retryServerErrors && attempt < MaxAttempts)
            {
                var delay = TimeSpan.FromMilliseconds(250 * Math.Pow(2, attempt - 1) * (0.75 + (Random.Shared.NextDouble() / 2)));
                LogServerError(what, (int)response.StatusCode, delay.TotalMilliseconds);
                await Task.Delay(delay, _time, ct);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new DiscordApiException(response.StatusCode, what, await ReadErrorCodeAsync(response, ct));
            }

            if (resultType is null || response.StatusCode == HttpStatusCode.NoContent)
            {
                return default;
            }

            var stream = await response.Content.ReadAsStreamAsync(ct);
            await using (stream)
            {
                return await JsonSerializer.DeserializeAsync(stream, resultType, ct);
            }
        }
    }

    // Called under the _routes lock. A route nobody is sending on and whose bucket holds nothing back carries no
    // information worth keeping: a later request on it starts unknown and learns the bucket again from the headers.
    private void ForgetIdleRoutes()
    {
        var now = _time.GetTimestamp();
        foreach (var (key, state) in _routes)
        {
            if (state.Gate.CurrentCount == 1 && (state.Remaining != 0 || state.ResetAt <= now))
            {
                _routes.Remove(key);
            }
        }
    }

    private async Task WaitForBucketAsync(RouteState state, bool global, CancellationToken ct)
    {
        while (true)
        {
            var now = _time.GetTimestamp();
            var until = Math.Max(global ? Interlocked.Read(ref _globalResetAt) : 0, state.Remaining == 0 ? state.ResetAt : 0);
            if (until <= now)
            {
                return;
            }

            await Task.Delay(_time.GetElapsedTime(now, until), _time, ct);
        }
    }

    private void ReadBucket(RouteState state, HttpResponseMessage response)
    {
        if (Header(response, "X-RateLimit-Remaining") is { } remaining && Header(response, "X-RateLimit-Reset-After") is { } resetAfter)
        {
            state.Remaining = (int)remaining;
            state.ResetAt = After(resetAfter);
        }
        else
        {
            state.Remaining = -1;
        }
    }

    private async Task ReadTooManyRequestsAsync(RouteState state, HttpResponseMessage response, string what, bool global, CancellationToken ct)
    {
        RateLimitBody? body = null;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(ct);
            await using (stream)
            {
                body = await JsonSerializer.DeserializeAsync(stream, DiscordJson.Default.RateLimitBody, ct);
            }
        }
        catch (JsonException)
        {
            // The headers below still say how long to wait.
        }

        var retryAfter = body?.RetryAfter ?? Header(response, "Retry-After") ?? 1;
        var isGlobal = body?.Global == true || response.Headers.TryGetValues("X-RateLimit-Global", out _);
        var until = After(retryAfter);
        if (isGlobal && global)
        {
            Interlocked.Exchange(ref _globalResetAt, until);
        }
        else
        {
            state.Remaining = 0;
            state.ResetAt = until;
        }

        LogRateLimited(what, retryAfter, isGlobal);
    }

    private long After(double seconds) => _time.GetTimestamp() + (long)(seconds * _time.TimestampFrequency);

    // Read as the server sent it (the first value), without building and validating the typed header first.
    private static double? Header(HttpResponseMessage response, string name)
    {
        if (response.Headers.NonValidated.TryGetValues(name, out var values))
        {
            foreach (var text in values)
            {
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
            }
        }

        return null;
    }

    private static async Task<int?> ReadErrorCodeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.TryGetProperty("code", out var code) && code.TryGetInt32(out var n) ? n : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord rate-limited {What}; waiting {RetryAfter} s (global: {Global})")]
    private partial void LogRateLimited(string what, double retryAfter, bool global);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord answered {Status} to {What}; retrying in {DelayMs} ms")]
    private partial void LogServerError(string what, int status, double delayMs);

    private sealed class RouteState
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Requests left in the bucket, or -1 when Discord sent no bucket headers.</summary>
        public int Remaining { get; set; } = -1;

        public long ResetAt { get; set; }
    }
}
