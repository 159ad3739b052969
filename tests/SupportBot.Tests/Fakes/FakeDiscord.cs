using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SupportBot.Tests.Fakes;

/// <summary>One REST request the bot made, as the fake received it.</summary>
public sealed record RestCall(string Method, string Path, string Body, string? Authorization, long Timestamp)
{
    /// <summary>The query string, with its leading "?", or "".</summary>
    public string Query { get; init; } = "";

    /// <summary>
    /// A message create that repeated a recent nonce with enforce_nonce: Discord returned the message made the first
    /// time and created none, so nobody sees this call.
    /// </summary>
    public bool Deduplicated { get; set; }

    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);
}

/// <summary>One gateway frame the bot sent.</summary>
public sealed record GatewayFrameIn(int Connection, int Op, string Json, long Timestamp);

/// <summary>A dispatch the fake sent: the shard it was routed to, its event name and the id in its data (if any).</summary>
public sealed record RoutedDispatch(int Shard, string Type, string? Id);

/// <summary>An answer a test forces for a REST call (a 429, a 500, a slow reply).</summary>
public sealed record FakeResponse(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default);

/// <summary>
/// Discord on loopback: <c>/api/v10</c> REST routes the bot uses and the gateway websocket, speaking the v10 protocol
/// (HELLO, IDENTIFY → READY, RESUME → replay of missed dispatches then RESUMED, heartbeat ACKs). Tests steer it to
/// misbehave like the real one can: withheld ACKs, RECONNECT, INVALID_SESSION, dropped sockets, close codes, 429s,
/// a session that expires (<see cref="ExpireSession"/>: a later RESUME gets op 9 with d=false). DM channels keep their
/// history (what the test dispatched and what the bot posted), read newest first with <c>after</c> and <c>limit</c>.
/// It refuses what Discord refuses, and records each refusal in <see cref="Refusals"/>: a REST call without
/// <c>Bot {token}</c> (401) and an IDENTIFY with another token (close 4004); a second initial response to one
/// interaction (400, code 40060, however late); an initial response to an interaction left unanswered for more than 3 s
/// (404, code 10062);
/// an edit of the original answer or a follow-up to an interaction that was never answered or deferred (404, code 10015);
/// a history read with a limit outside 1–100 (400, code 50035); a message nonce longer than 25 characters (400, code
/// 50035); a RESUME with another token (close 4004). A message create with a nonce and <c>enforce_nonce</c> that repeats
/// the nonce of a message the bot created in the last <see cref="NonceMemory"/> creates nothing and returns that message,
/// as Discord does ("checked for uniqueness in the past few minutes"); the call is marked <see cref="RestCall.Deduplicated"/>.
/// Shards (shared/research/protocols.md §2.4, §2.7, §6): each gateway connection identifies with <c>shard: [id, count]</c>
/// and gets its own session, sequence and replay log; a guild's events go to shard <c>(guild_id &gt;&gt; 22) % count</c>,
/// DMs and events without a guild to shard 0 (<see cref="ShardOf"/>). It refuses, as Discord does: a second IDENTIFY or
/// RESUME on a connection already authenticated (close 4005); a shard outside 0 to count − 1 (close 4010); an IDENTIFY
/// sooner than five seconds after the last one in its bucket (<c>shard % max_concurrency</c>, see
/// <see cref="MaxConcurrency"/>), answered with INVALID_SESSION (op 9, d=false). Unlike Discord, which routes each session
/// by its own count, the fake knows one <see cref="ShardCount"/> and refuses any other count with 4010 too. A shard
/// identified again on a new connection takes its events from then on (the old session gets none).
/// Not modelled: rate limits (429 only when a test asks), request validation (message and component limits are
/// checked by renderer tests), the 15-minute life of an interaction token, permissions (a closed DM is a 403 a test forces), the daily identify budget,
/// zlib and ETF encodings, guilds and channels beyond DM channels, and voice.
/// </summary>
public sealed class FakeDiscord : IAsyncDisposable
{
    public const string BotUserId = "900000000000000001";

    /// <summary>The token the fake accepts unless a test sets <see cref="Token"/>.</summary>
    public const string DefaultToken = "test-token-MTIzNDU2Nzg5.SECRET-do-not-log";

    private readonly WebApplication _app;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<int, ShardState> _shards = [];
    private readonly Dictionary<int, long> _lastIdentify = [];
    private readonly ConcurrentDictionary<WebSocket, byte> _sockets = new();
    private readonly ConcurrentDictionary<string, long> _interactionsDispatched = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _interactionsAnswered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _interactionsByToken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _restConnections = new(StringComparer.Ordinal);
    // History and nonces keep each message as its JSON text, parsed only when a test reads the history: a tree of nodes
    // per message made a long bench run's heap (and the fake's GC work per message) grow with the run.
    private readonly Dictionary<string, List<(ulong Id, string Json)>> _history = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Json, long At)> _nonces = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _maxInFlight;
    private int _connections;
    private int _sessions;
    private int _identifiesAnswered;
    private int _resumed;
    private long _lastMessageId;

    private FakeDiscord(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public string ApiBaseUrl => BaseUrl + "/api/v10";

    public int HeartbeatIntervalMs { get; set; } = 150;

    /// <summary>The bot token Discord knows: REST calls need <c>Bot {Token}</c>, IDENTIFY needs it too.</summary>
    public string Token { get; set; } = DefaultToken;

    /// <summary>How long after its dispatch an interaction still takes its initial response (Discord: 3 s).</summary>
    public TimeSpan InteractionDeadline { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a created message's nonce is remembered for enforce_nonce (Discord: "the past few minutes").</summary>
    public TimeSpan NonceMemory { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Every request the fake refused as Discord would, as "code: what".</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();

    public bool AckHeartbeats { get; set; } = true;

    /// <summary>On RESUME, also send again the last dispatch the bot had already seen (a duplicate delivery).</summary>
    public bool ReplaySeenOnResume { get; set; }

    /// <summary>Close the socket with this code when the bot identifies (4004 = authentication failed, …).</summary>
    public int? CloseOnIdentify { get; set; }

    /// <summary>Close the socket with this code right after every READY (4009 = session timed out).</summary>
    public int? CloseAfterReady { get; set; }

    /// <summary>How many shards the bot is meant to run: /gateway/bot recommends it, and IDENTIFY must use it.</summary>
    public int ShardCount { get; set; } = 1;

    /// <summary>How many buckets of shards may identify in the same five seconds (session_start_limit.max_concurrency).</summary>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>How long the first IDENTIFY takes to reach the fake, as on a slow network or a busy machine; later ones arrive at once.</summary>
    public TimeSpan FirstIdentifyLatency { get; set; }

    /// <summary>Every dispatch sent, with the shard it was routed to, in order.</summary>
    public ConcurrentQueue<RoutedDispatch> Routed { get; } = new();

    /// <summary>Every accepted IDENTIFY: the gateway connection it came on and the shard it named.</summary>
    public ConcurrentQueue<(int Connection, int Shard, long Timestamp)> Identifies { get; } = new();

    /// <summary>Lets a test answer a REST call itself; null falls through to the normal routes.</summary>
    public Func<RestCall, FakeResponse?>? Respond { get; set; }

    /// <summary>
    /// Holds a REST answer back by what this returns for the call, the answer itself unchanged (refusals and routes
    /// included): a slow Discord. Null answers at once.
    /// </summary>
    public Func<RestCall, TimeSpan>? HoldBack { get; set; }

    /// <summary>Guild member roles by user id, for GET /guilds/{id}/members/{user}.</summary>
    public ConcurrentDictionary<string, string[]> MemberRoles { get; } = new();

    public ConcurrentQueue<RestCall> Calls { get; } = new();

    /// <summary>
    /// When set, each REST call is handed to this as it arrives (on the request's own thread, before it is answered)
    /// instead of being kept in <see cref="Calls"/>: the load bench watches a long run without polling a queue.
    /// </summary>
    public Action<RestCall>? OnCall { get; set; }

    /// <summary>How many distinct TCP connections REST calls arrived on.</summary>
    public int RestConnections => _restConnections.Count;

    /// <summary>The most REST calls the fake was handling at one time.</summary>
    public int MaxConcurrentRequests => Volatile.Read(ref _maxInFlight);

    public ConcurrentQueue<GatewayFrameIn> Frames { get; } = new();

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>How many RESUMEs the fake accepted (answered with RESUMED).</summary>
    public int Resumed => Volatile.Read(ref _resumed);

    /// <summary>How many sessions IDENTIFY started (READY sent).</summary>
    public int SessionsStarted => Volatile.Read(ref _sessions);

    /// <summary>IDENTIFYs answered, with READY (the session is live once this counts it) or with a refusal.</summary>
    public int IdentifiesAnswered => Volatile.Read(ref _identifiesAnswered);

    /// <summary>
    /// A message id as Discord makes them: a snowflake of the current time, always above the last one handed out,
    /// so that ids sort in the order they were made (and "after" a time finds them).
    /// </summary>
    public string NewMessageId()
    {
        var now = (long)(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1_420_070_400_000) << 22;
        long last, next;
        do
        {
            last = Interlocked.Read(ref _lastMessageId);
            next = Math.Max(now, last + 1);
        }
        while (Interlocked.CompareExchange(ref _lastMessageId, next, last) != last);
        return next.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The session ends as when the bot stayed away past the resume window: the next RESUME gets op 9, d=false. Every
    /// shard's, or only <paramref name="shard"/>'s.
    /// </summary>
    public void ExpireSession(int? shard = null)
    {
        _gate.Wait();
        try
        {
            foreach (var (id, state) in _shards)
            {
                if (shard is null || shard == id)
                {
                    state.SessionId = null;
                    state.Events.Clear();
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The shard Discord routes an event to: a guild's shard, or 0 for DMs and anything without a guild.</summary>
    public int ShardOf(string? guildId) =>
        guildId is not null && ulong.TryParse(guildId, out var id) ? (int)((id >> 22) % (ulong)Math.Max(1, ShardCount)) : 0;

    /// <summary>Whether <paramref name="shard"/> has a live session (identified or resumed, not dropped).</summary>
    public bool IsLive(int shard)
    {
        _gate.Wait();
        try
        {
            return _shards.TryGetValue(shard, out var state) && state.Live is { State: WebSocketState.Open };
        }
        finally
        {
            _gate.Release();
        }
    }

    public static async Task<FakeDiscord> StartAsync()
    {
        // No file watching for appsettings changes: the watcher follows every file written under the working folder, the
        // bot's database among them when a bench runs there.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeDiscord(app);
        app.UseWebSockets();
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = address.TrimEnd('/');
        return fake;
    }

    /// <summary>
    /// Sends a dispatch to the shard Discord would route it to (<see cref="ShardOf"/> its guild_id), with that shard's next
    /// sequence number; with no live session there it waits in the shard's log for a RESUME.
    /// </summary>
    public async Task<int> DispatchAsync(string type, JsonNode data)
    {
        await _gate.WaitAsync();
        try
        {
            var shardId = ShardOf(data["guild_id"]?.GetValue<string>());
            var shard = Shard(shardId);
            var seq = ++shard.Seq;
            Routed.Enqueue(new RoutedDispatch(shardId, type, data["id"]?.GetValue<string>()));
            if (type == "INTERACTION_CREATE" && data["id"]?.GetValue<string>() is { } interactionId)
            {
                _interactionsDispatched.TryAdd(interactionId, Stopwatch.GetTimestamp());
                if (data["token"]?.GetValue<string>() is { } token)
                {
                    _interactionsByToken.TryAdd(token, interactionId);
                }
            }

            // The data is written once, and the envelope around it as text: the same frame as a node tree would write.
            var dataJson = data.ToJsonString();
            if (type == "MESSAGE_CREATE" && data["guild_id"] is null && data["channel_id"]?.GetValue<string>() is { } channel)
            {
                Remember(channel, data["id"]?.GetValue<string>(), dataJson);
            }

            var json = Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{{\"op\":0,\"s\":{seq},\"t\":{JsonValue.Create(type).ToJsonString()},\"d\":{dataJson}}}"));
            shard.Events.Add((seq, json));
            if (shard.Live is { State: WebSocketState.Open } live)
            {
                try
                {
                    await SendRawAsync(live, json);
                }
                catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
                {
                    // The bot went away mid-send (killed): the event stays in the log for a RESUME, as on Discord.
                    shard.Live = null;
                }
            }

            return seq;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends an official sample gateway envelope as is, renumbered into this session's sequence.</summary>
    public Task<int> DispatchEnvelopeAsync(string envelopeJson)
    {
        var node = JsonNode.Parse(envelopeJson)!;
        return DispatchAsync(node["t"]!.GetValue<string>(), node["d"]!);
    }

    /// <summary>Sends any text as a frame on a shard's live session, which stays live (a malformed frame, for one).</summary>
    public async Task SendFrameAsync(string text, int shard = 0)
    {
        await _gate.WaitAsync();
        try
        {
            await SendRawAsync(Shard(shard).Live ?? throw new InvalidOperationException("No live gateway session."), text);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task SendReconnectAsync(int shard = 0) => SendToLiveAsync("{\"op\":7,\"d\":null,\"s\":null,\"t\":null}", shard);

    public Task SendInvalidSessionAsync(bool resumable, int shard = 0) =>
        SendToLiveAsync($"{{\"op\":9,\"d\":{(resumable ? "true" : "false")},\"s\":null,\"t\":null}}", shard);

    public Task CloseAsync(int code, int shard = 0) => WithLiveAsync(shard, async live =>
    {
        await live.CloseOutputAsync((WebSocketCloseStatus)code, "closed by the fake", CancellationToken.None);
    });

    /// <summary>Drops a shard's TCP connection without a close frame, like a network failure.</summary>
    public Task DropAsync(int shard = 0) => WithLiveAsync(shard, live =>
    {
        live.Abort();
        return Task.CompletedTask;
    });

    public IReadOnlyList<RestCall> CallsTo(string method, string pathContains) =>
        Calls.Where(c => c.Method == method && c.Path.Contains(pathContains, StringComparison.Ordinal)).ToList();

    public Task<RestCall> WaitForCallAsync(string method, string pathContains, Func<RestCall, bool>? where = null, int count = 1, double seconds = 5) =>
        WaitAsync(() =>
        {
            var matches = CallsTo(method, pathContains).Where(c => where?.Invoke(c) ?? true).ToList();
            return matches.Count >= count ? matches[count - 1] : null;
        }, $"{count} × {method} …{pathContains}", seconds);

    /// <summary>
    /// Waits until <paramref name="shard"/>'s session is live (READY sent). Seeing the IDENTIFY frame is not enough: an
    /// event dispatched between the IDENTIFY and the READY belongs to no session, and the new session starts without it.
    /// </summary>
    public Task WaitForSessionAsync(int shard = 0, double seconds = 10) =>
        WaitAsync(() => IsLive(shard) ? "live" : null, $"a live session on shard {shard}", seconds);

    public Task<GatewayFrameIn> WaitForFrameAsync(int op, int count = 1, double seconds = 5) =>
        WaitAsync(() => Frames.Where(f => f.Op == op).Skip(count - 1).FirstOrDefault(), $"{count} × op {op}", seconds);

    public static async Task<T> WaitAsync<T>(Func<T?> probe, string what, double seconds = 5)
        where T : class
    {
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            if (Stopwatch.GetTimestamp() > until)
            {
                throw new TimeoutException($"The fake Discord did not see {what} within {seconds} s.");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in _sockets.Keys)
        {
            socket.Abort();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _gate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (path.StartsWith("/gateway", StringComparison.Ordinal) && context.WebSockets.IsWebSocketRequest)
        {
            await RunGatewayAsync(context);
            return;
        }

        if (!path.StartsWith("/api/v10/", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }

        _restConnections.TryAdd(context.Connection.Id, 0);
        var inFlight = Interlocked.Increment(ref _inFlight);
        for (var max = Volatile.Read(ref _maxInFlight); inFlight > max; max = Volatile.Read(ref _maxInFlight))
        {
            Interlocked.CompareExchange(ref _maxInFlight, inFlight, max);
        }

        context.Response.OnCompleted(() =>
        {
            Interlocked.Decrement(ref _inFlight);
            return Task.CompletedTask;
        });

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var call = new RestCall(context.Request.Method, path["/api/v10".Length..], body,
            context.Request.Headers.Authorization.FirstOrDefault(), Stopwatch.GetTimestamp())
        {
            Query = context.Request.QueryString.Value ?? "",
        };
        if (OnCall is { } observe)
        {
            observe(call);
        }
        else
        {
            Calls.Enqueue(call);
        }

        var response = Respond?.Invoke(call) ?? Refuse(call) ?? Route(call);
        var delay = response.Delay + (HoldBack?.Invoke(call) ?? TimeSpan.Zero);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay);
        }

        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>
        {
            ["X-RateLimit-Limit"] = "5",
            ["X-RateLimit-Remaining"] = "4",
            ["X-RateLimit-Reset-After"] = "1.000",
            ["X-RateLimit-Bucket"] = "fake-bucket",
        })
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body.Length > 0)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(response.Body);
        }
    }

    private FakeResponse Route(RestCall call)
    {
        var parts = call.Path.Trim('/').Split('/');
        return (call.Method, parts) switch
        {
            ("GET", ["gateway", "bot"]) => Ok(new JsonObject
            {
                ["url"] = BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/gateway",
                ["shards"] = ShardCount,
                ["session_start_limit"] = new JsonObject { ["total"] = 1000, ["remaining"] = 999, ["reset_after"] = 14400000, ["max_concurrency"] = MaxConcurrency },
            }),
            ("POST", ["users", "@me", "channels"]) => Ok(new JsonObject
            {
                ["id"] = "dm-" + call.Json!["recipient_id"]!.GetValue<string>(),
                ["type"] = 1,
            }),
            ("POST", ["channels", var channel, "messages"]) => Posted(channel, call),
            ("GET", ["channels", var channel, "messages"]) => History(channel, call),
            ("POST", ["interactions", _, _, "callback"]) => new FakeResponse(204, ""),
            ("PATCH", ["webhooks", _, _, "messages", _]) => Ok(new JsonObject { ["id"] = NewId() }),
            ("POST", ["webhooks", _, _]) => Ok(new JsonObject { ["id"] = NewId() }),
            ("PUT", ["applications", ..]) => new FakeResponse(200, call.Body),
            ("GET", ["guilds", _, "members", var user]) => MemberRoles.TryGetValue(user, out var roles)
                ? Ok(new JsonObject { ["user"] = new JsonObject { ["id"] = user }, ["roles"] = new JsonArray(roles.Select(r => (JsonNode)r!).ToArray()) })
                : new FakeResponse(404, "{\"message\":\"Unknown Member\",\"code\":10007}"),
            _ => new FakeResponse(404, "{\"message\":\"404: Not Found\",\"code\":0}"),
        };
    }

    /// <summary>What Discord refuses, whatever the route: see the class summary.</summary>
    private FakeResponse? Refuse(RestCall call)
    {
        var parts = call.Path.Trim('/').Split('/');

        // Interaction callbacks and webhooks are authorised by the interaction token in their path, not the bot token.
        if (parts[0] is not ("interactions" or "webhooks") && call.Authorization != "Bot " + Token)
        {
            return Refused("0: 401 Unauthorized", 401, "{\"message\":\"401: Unauthorized\",\"code\":0}");
        }

        if (call.Method == "POST" && parts is ["interactions", var id, _, "callback"])
        {
            // An answered interaction lives on for its follow-ups (15 minutes), so a second answer is refused as such however
            // late; one left unanswered past the deadline is gone.
            if (_interactionsAnswered.ContainsKey(id))
            {
                return Refused("40060: Interaction has already been acknowledged", 400,
                    "{\"message\":\"Interaction has already been acknowledged.\",\"code\":40060}");
            }

            if (_interactionsDispatched.TryGetValue(id, out var at) && Stopwatch.GetElapsedTime(at) > InteractionDeadline)
            {
                return Refused("10062: Unknown interaction", 404, "{\"message\":\"Unknown interaction\",\"code\":10062}");
            }

            if (!_interactionsAnswered.TryAdd(id, 0))
            {
                return Refused("40060: Interaction has already been acknowledged", 400,
                    "{\"message\":\"Interaction has already been acknowledged.\",\"code\":40060}");
            }
        }

        // An interaction's webhook (its original answer, follow-ups) exists once it was answered or deferred.
        if (parts is ["webhooks", _, var webhookToken, ..]
            && _interactionsByToken.TryGetValue(webhookToken, out var answeredId) && !_interactionsAnswered.ContainsKey(answeredId))
        {
            return Refused("10015: Unknown Webhook", 404, "{\"message\":\"Unknown Webhook\",\"code\":10015}");
        }

        return null;
    }

    /// <summary>
    /// A message create: the message made, or the one an enforced nonce repeats; a nonce longer than 25 characters is
    /// refused (checked here rather than in <see cref="Refuse"/> so the body is parsed once).
    /// </summary>
    private FakeResponse Posted(string channel, RestCall call)
    {
        var json = call.Json;
        if (json?["nonce"] is JsonValue tooLong && tooLong.ToString().Length > 25)
        {
            return Refused("50035: Invalid Form Body (nonce)", 400,
                "{\"message\":\"Invalid Form Body\",\"code\":50035,\"errors\":{\"nonce\":{\"_errors\":[{\"code\":\"BASE_TYPE_BAD_LENGTH\",\"message\":\"Must be between 1 and 25 in length.\"}]}}}");
        }

        var nonce = json?["nonce"]?.ToString();
        var enforced = nonce is not null && json?["enforce_nonce"]?.GetValue<bool>() == true;
        lock (_nonces)
        {
            // The same author (the bot) and the same nonce lately: that message, and no new one.
            if (enforced && _nonces.TryGetValue(nonce!, out var earlier) && Stopwatch.GetElapsedTime(earlier.At) < NonceMemory)
            {
                call.Deduplicated = true;
                return new FakeResponse(200, earlier.Json);
            }

            var message = new JsonObject
            {
                ["id"] = NewMessageId(),
                ["channel_id"] = channel,
                ["author"] = new JsonObject { ["id"] = BotUserId, ["username"] = "SupportBot", ["bot"] = true },
                ["content"] = json?["content"]?.GetValue<string>() ?? "",
                ["type"] = 0,
            };
            if (nonce is not null)
            {
                message["nonce"] = nonce;
            }

            var text = message.ToJsonString();
            if (nonce is not null)
            {
                _nonces[nonce] = (text, Stopwatch.GetTimestamp());
            }

            Remember(channel, message["id"]!.GetValue<string>(), text);
            return new FakeResponse(200, text);
        }
    }

    private void Remember(string channel, string? messageId, string json)
    {
        if (!ulong.TryParse(messageId, out var id))
        {
            return;
        }

        lock (_history)
        {
            if (!_history.TryGetValue(channel, out var messages))
            {
                _history[channel] = messages = [];
            }

            messages.Add((id, json));
        }
    }

    /// <summary>
    /// GET /channels/{id}/messages as Discord answers it: newest first; with <c>after</c>, the <c>limit</c> messages
    /// that follow that id; without, the newest. A limit outside 1–100 is refused, as Discord validates it.
    /// </summary>
    private FakeResponse History(string channel, RestCall call)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(call.Query);
        var limit = 50;
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, out limit) || limit is < 1 or > 100))
        {
            return Refused("50035: Invalid Form Body (limit)", 400,
                "{\"message\":\"Invalid Form Body\",\"code\":50035,\"errors\":{\"limit\":{\"_errors\":[{\"code\":\"NUMBER_TYPE_MAX\",\"message\":\"int value should be less than or equal to 100.\"}]}}}");
        }

        List<(ulong Id, string Json)> messages;
        lock (_history)
        {
            messages = _history.TryGetValue(channel, out var known) ? [.. known] : [];
        }

        var page = query.TryGetValue("after", out var afterText) && ulong.TryParse(afterText, out var after)
            ? messages.Where(m => m.Id > after).OrderBy(m => m.Id).Take(limit)
            : messages.OrderByDescending(m => m.Id).Take(limit);
        return new FakeResponse(200, "[" + string.Join(',', page.OrderByDescending(m => m.Id).Select(m => m.Json)) + "]");
    }

    private FakeResponse Refused(string what, int status, string body)
    {
        Refusals.Enqueue(what);
        return new FakeResponse(status, body);
    }

    private static FakeResponse Ok(JsonObject body) => new(200, body.ToJsonString());

    private static string NewId() => Random.Shared.NextInt64(100000000000000000, 999999999999999999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private async Task RunGatewayAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        _sockets[socket] = 0;
        var connection = Interlocked.Increment(ref _connections);
        var authenticated = false;
        try
        {
            await SendRawAsync(socket, $"{{\"t\":null,\"s\":null,\"op\":10,\"d\":{{\"heartbeat_interval\":{HeartbeatIntervalMs},\"_trace\":[\"fake\"]}}}}");
            var buffer = new byte[64 * 1024];
            while (socket.State == WebSocketState.Open)
            {
                var text = new StringBuilder();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                }
                while (!result.EndOfMessage);

                var json = text.ToString();
                var frame = JsonNode.Parse(json)!;
                var op = frame["op"]!.GetValue<int>();
                Frames.Enqueue(new GatewayFrameIn(connection, op, json, Stopwatch.GetTimestamp()));
                switch (op)
                {
                    case 1 when AckHeartbeats:
                        await SendGuardedAsync(socket, "{\"op\":11}");
                        break;
                    case 2 or 6 when authenticated:
                        Refusals.Enqueue("4005: Already authenticated");
                        await socket.CloseOutputAsync((WebSocketCloseStatus)4005, "Already authenticated.", CancellationToken.None);
                        break;
                    case 2:
                        authenticated = await IdentifyAsync(socket, connection, frame["d"]!);
                        Interlocked.Increment(ref _identifiesAnswered);
                        break;
                    case 6:
                        authenticated = await ResumeAsync(socket, frame["d"]!);
                        break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ConnectionAbortedException)
        {
            // The bot (or a test) dropped the connection.
        }
        finally
        {
            _sockets.TryRemove(socket, out _);
            await _gate.WaitAsync();
            foreach (var shard in _shards.Values.Where(s => s.Live == socket))
            {
                shard.Live = null;
            }

            _gate.Release();
        }
    }

    /// <summary>Answers an IDENTIFY: READY on a new session of the shard it names, or what Discord refuses; true when READY was sent.</summary>
    private async Task<bool> IdentifyAsync(WebSocket socket, int connection, JsonNode data)
    {
        if (data["token"]?.GetValue<string>() != Token)
        {
            Refusals.Enqueue("4004: Authentication failed");
            await socket.CloseOutputAsync((WebSocketCloseStatus)4004, "Authentication failed.", CancellationToken.None);
            return false;
        }

        // No shard field means [0, 1], as for an unsharded bot.
        var shardId = data["shard"]?[0]?.GetValue<int>() ?? 0;
        var count = data["shard"]?[1]?.GetValue<int>() ?? 1;
        if (shardId < 0 || count < 1 || shardId >= count || count != ShardCount)
        {
            Refusals.Enqueue($"4010: Invalid shard [{shardId}, {count}]");
            await socket.CloseOutputAsync((WebSocketCloseStatus)4010, "Invalid shard.", CancellationToken.None);
            return false;
        }

        if (CloseOnIdentify is { } code)
        {
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, "closed by the fake", CancellationToken.None);
            return false;
        }

        if (FirstIdentifyLatency > TimeSpan.Zero && Interlocked.Exchange(ref _firstIdentifyArrived, 1) == 0)
        {
            await Task.Delay(FirstIdentifyLatency);
        }

        await _gate.WaitAsync();
        try
        {
            // One IDENTIFY per bucket (shard % max_concurrency) per five seconds; a sooner one gets INVALID_SESSION.
            var bucket = shardId % Math.Max(1, MaxConcurrency);
            var now = Stopwatch.GetTimestamp();
            if (_lastIdentify.TryGetValue(bucket, out var last) && Stopwatch.GetElapsedTime(last, now) < IdentifyWindow)
            {
                Refusals.Enqueue($"op 9: IDENTIFY of shard {shardId} sooner than 5 s after the last one in bucket {bucket}");
                await SendRawAsync(socket, "{\"op\":9,\"d\":false,\"s\":null,\"t\":null}");
                return false;
            }

            _lastIdentify[bucket] = now;
            Identifies.Enqueue((connection, shardId, now));
            var shard = Shard(shardId);
            shard.SessionId = $"session-{Interlocked.Increment(ref _sessions)}";
            shard.Events.Clear();
            shard.Seq = 0;
            var ready = new JsonObject
            {
                ["op"] = 0,
                ["s"] = ++shard.Seq,
                ["t"] = "READY",
                ["d"] = new JsonObject
                {
                    ["v"] = 10,
                    ["user"] = new JsonObject { ["id"] = BotUserId, ["username"] = "SupportBot", ["bot"] = true },
                    ["session_id"] = shard.SessionId,
                    ["resume_gateway_url"] = BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/gateway",
                    ["guilds"] = new JsonArray(),
                    ["application"] = new JsonObject { ["id"] = "800000000000000001", ["flags"] = 0 },
                    ["shard"] = new JsonArray(shardId, count),
                },
            };
            await SendRawAsync(socket, ready.ToJsonString());
            if (CloseAfterReady is { } closeCode)
            {
                await socket.CloseOutputAsync((WebSocketCloseStatus)closeCode, "closed by the fake", CancellationToken.None);
                return true;
            }

            shard.Live = socket;
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Answers a RESUME: the shard whose session it names replays what was missed; true when RESUMED was sent.</summary>
    private async Task<bool> ResumeAsync(WebSocket socket, JsonNode data)
    {
        await _gate.WaitAsync();
        try
        {
            if (data["token"]?.GetValue<string>() != Token)
            {
                Refusals.Enqueue("4004: Authentication failed");
                await socket.CloseOutputAsync((WebSocketCloseStatus)4004, "Authentication failed.", CancellationToken.None);
                return false;
            }

            var sessionId = data["session_id"]?.GetValue<string>();
            if (_shards.Values.FirstOrDefault(s => s.SessionId is not null && s.SessionId == sessionId) is not { } shard)
            {
                await SendRawAsync(socket, "{\"op\":9,\"d\":false,\"s\":null,\"t\":null}");
                return false;
            }

            // Like Discord: replay every dispatch after the sequence the bot last saw, then RESUMED.
            var seen = data["seq"]?.GetValue<int>() ?? 0;
            foreach (var (seq, frame) in shard.Events.Where(e => e.Seq > seen || (ReplaySeenOnResume && e.Seq == seen)))
            {
                await SendRawAsync(socket, frame);
            }

            await SendRawAsync(socket, $"{{\"op\":0,\"s\":{++shard.Seq},\"t\":\"RESUMED\",\"d\":{{}}}}");
            Interlocked.Increment(ref _resumed);
            shard.Live = socket;
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Task SendToLiveAsync(string json, int shard) => WithLiveAsync(shard, live => SendRawAsync(live, json));

    /// <summary>Acts on a shard's live session, which is live no more: what is dispatched next waits for a RESUME.</summary>
    private async Task WithLiveAsync(int shard, Func<WebSocket, Task> action)
    {
        await _gate.WaitAsync();
        try
        {
            var state = Shard(shard);
            var live = state.Live ?? throw new InvalidOperationException($"No live gateway session on shard {shard}.");
            await action(live);
            state.Live = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SendGuardedAsync(WebSocket socket, string json)
    {
        await _gate.WaitAsync();
        try
        {
            await SendRawAsync(socket, json);
        }
        finally
        {
            _gate.Release();
        }
    }

    private int _firstIdentifyArrived;

    /// <summary>Discord's identify window: one IDENTIFY per bucket in it.</summary>
    private static readonly TimeSpan IdentifyWindow = TimeSpan.FromSeconds(5);

    /// <summary>A shard's state; call under the gate.</summary>
    private ShardState Shard(int id)
    {
        if (!_shards.TryGetValue(id, out var state))
        {
            _shards[id] = state = new ShardState();
        }

        return state;
    }

    private sealed class ShardState
    {
        /// <summary>Every dispatch of the session, as the UTF-8 frame sent, for a RESUME's replay.</summary>
        public List<(int Seq, byte[] Frame)> Events { get; } = [];

        public int Seq { get; set; }

        public string? SessionId { get; set; }

        public WebSocket? Live { get; set; }
    }

    private static Task SendRawAsync(WebSocket socket, string json) => SendRawAsync(socket, Encoding.UTF8.GetBytes(json));

    private static Task SendRawAsync(WebSocket socket, byte[] frame) =>
        socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
}
