using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SupportBot.Tests.Fakes;

/// <summary>
/// A Slack on loopback that speaks the real protocols: the Web API methods the bot uses (form or JSON bodies,
/// Bearer tokens, ok:false errors, 429 with Retry-After), response_url endpoints, and the Socket Mode websocket
/// (hello first, envelopes, acks, re-sending unacknowledged events with retry_attempt, disconnect notices, drops), and
/// the Events API over HTTP (signed requests; a request not answered 2xx within 3 s is retried with X-Slack-Retry-Num
/// and X-Slack-Retry-Reason, up to 3 times).
/// As Slack does (shared/research/protocols.md §7.2, §8): only events are re-sent; an event acknowledged (ack, or 2xx in
/// time) is never sent again; a slash command or interaction not acknowledged is not re-sent (Slack shows the person a
/// timeout). An unacknowledged Socket Mode event waits for the next connection when none is open, as after a crash.
/// Every call and ack is recorded so tests can assert what reached Slack. Channels keep what the bot posted, with the
/// message metadata it gave; conversations.history answers the latest first (at most <c>limit</c>, 1 to 1000), with the
/// metadata only when <c>include_all_metadata</c> is true, as Slack does.
/// Several Socket Mode connections (Slack allows an app up to ten; protocols.md §7.1 and a Slack maintainer in
/// slackapi/node-slack-sdk#1654): envelopes are spread over the open ones in turn, each acked on the connection it
/// came on (<see cref="Ack.Connection"/>); an 11th connection is told too_many_websockets and closed instead of hello,
/// and recorded in <see cref="Refusals"/>.
/// Not modelled: rate-limit tiers (429 only when a test asks), WebSocket pings from Slack,
/// X-Slack-No-Retry, response_url's 5-uses/30-minutes limit, trigger_id expiry after 3 s,
/// Block Kit validation (limits are checked by renderer tests, not by the fake), message updates and ephemeral
/// visibility (recorded, not rendered), user and channel membership, and several workspaces.
/// </summary>
public sealed class FakeSlack : IAsyncDisposable
{
    public const string BotToken = "xoxb-fake-bot-token-SECRET1";
    public const string AppToken = "xapp-fake-app-token-SECRET2";
    public const string BotUserId = "UBOT";

    /// <summary>Slack's HTTP answer deadline: a request not answered 2xx within it counts as failed and is retried.</summary>
    public static readonly TimeSpan HttpDeadline = TimeSpan.FromSeconds(3);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Func<HttpContext, Task>>> _injected = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<Ack>> _acks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _tickets = new(StringComparer.Ordinal);
    private readonly List<FakeSocket> _sockets = [];
    private readonly Lock _socketsLock = new();
    private readonly ConcurrentDictionary<string, Envelope> _envelopes = new(StringComparer.Ordinal);
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ConcurrentDictionary<string, ConcurrentQueue<JsonObject>> _posted = new(StringComparer.Ordinal);
    private int _ticket;
    private int _ts;
    private int _connectionNumber;
    private int _turn;

    private FakeSlack(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public string ApiBaseUrl => new Uri(BaseUrl, "api").ToString();

    public ConcurrentQueue<ApiCall> Calls { get; } = new();

    public ConcurrentQueue<ResponsePost> Responses { get; } = new();

    public ConcurrentQueue<Ack> AllAcks { get; } = new();

    /// <summary>What the fake refused as Slack would: a connection past the limit of ten.</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();

    /// <summary>The most Socket Mode connections Slack keeps open for one app.</summary>
    public int MaxConnections { get; set; } = 10;

    /// <summary>How many connections are open now.</summary>
    public int OpenConnectionCount
    {
        get
        {
            lock (_socketsLock)
            {
                return _sockets.Count(s => s.IsOpen);
            }
        }
    }

    public List<string> UserGroupMembers { get; } = [];

    /// <summary>users.info profiles by user id; anyone else has a username (the id in lower case) and no display or real name.</summary>
    public ConcurrentDictionary<string, (string DisplayName, string RealName)> Profiles { get; } = new(StringComparer.Ordinal);

    /// <summary>How long an events_api envelope may stay unacknowledged before it is sent again (Slack: 3 s).</summary>
    public TimeSpan RedeliverAfter { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How many of the next acks to lose on the way, as a flaky network would; their envelopes are then re-sent.</summary>
    public int AcksToLose { get; set; }

    /// <summary>How long a re-sent Socket Mode event waits for an open connection before Slack gives it up.</summary>
    public TimeSpan WaitForConnectionUpTo { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Where HTTP mode's requests go (the bot's listening address); set by the test.</summary>
    public Uri? BotUrl { get; set; }

    /// <summary>The app's signing secret, for HTTP mode.</summary>
    public string SigningSecret { get; set; } = "";

    /// <summary>The clock signed timestamps are read from (the bot refuses stale ones).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Waits before each retry of an HTTP event; Slack's are at once, after 1 minute and after 5 minutes. Tests shorten them.</summary>
    public IReadOnlyList<TimeSpan> HttpRetryDelays { get; set; } = [TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)];

    /// <summary>Every Socket Mode envelope sent, by envelope id.</summary>
    public IReadOnlyDictionary<string, Envelope> Envelopes => _envelopes;

    /// <summary>Every HTTP request Slack made to the bot, with how it was answered.</summary>
    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    /// <summary>The event_ids Slack stopped sending without being told they were received (retries used up, or no connection came).</summary>
    public ConcurrentDictionary<string, byte> GivenUpEventIds { get; } = new(StringComparer.Ordinal);

    /// <summary>The event_ids Slack was told were received: an envelope acked, or an HTTP request answered 2xx in time.</summary>
    public IReadOnlySet<string> ReceivedEventIds =>
        AllAcks.Select(a => _envelopes.TryGetValue(a.EnvelopeId, out var e) ? e.EventId : null)
            .Concat(Deliveries.Where(d => d.Received).Select(d => d.EventId))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    public int ConnectionCount
    {
        get
        {
            lock (_socketsLock)
            {
                return _sockets.Count;
            }
        }
    }

    public static async Task<FakeSlack> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSlack(app);
        app.UseWebSockets();
        app.MapPost("/api/{method}", (HttpContext c, string method) => fake.HandleApiAsync(c, method));
        app.MapPost("/respond/{id}", (HttpContext c, string id) => fake.HandleResponseUrlAsync(c, id));
        app.Map("/link", fake.HandleSocketAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    public string ResponseUrl(string id) => new Uri(BaseUrl, "respond/" + id).ToString();

    public IReadOnlyList<ApiCall> CallsTo(string method) => Calls.Where(c => c.Method == method).ToList();

    /// <summary>The next call of <paramref name="method"/> gets HTTP 429 with Retry-After.</summary>
    public void RateLimitNext(string method, int retryAfterSeconds) => Inject(method, async c =>
    {
        c.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        c.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await c.Response.WriteAsync("{\"ok\":false,\"error\":\"ratelimited\"}");
    });

    /// <summary>The next call of <paramref name="method"/> gets HTTP 200 with ok:false and the error code.</summary>
    public void RefuseNext(string method, string error) => Inject(method, c => Json(c, new JsonObject { ["ok"] = false, ["error"] = error }));

    /// <summary>The next call of <paramref name="method"/> gets HTTP 200 with a body that is not JSON, as a proxy's error page would.</summary>
    public void AnswerNextWithHtml(string method) => Inject(method, async c =>
    {
        c.Response.ContentType = "text/html";
        await c.Response.WriteAsync("<html><body>Bad gateway</body></html>");
    });

    /// <summary>The next call of <paramref name="method"/> is answered (ok:false, user_not_found) only after <paramref name="delay"/>, as a slow Slack would.</summary>
    public void DelayNext(string method, TimeSpan delay) => Inject(method, async c =>
    {
        await Task.Delay(delay, c.RequestAborted);
        await Json(c, new JsonObject { ["ok"] = false, ["error"] = "user_not_found" });
    });

    /// <summary>The next call of <paramref name="method"/> gets HTTP 503.</summary>
    public void FailNext(string method) => Inject(method, c =>
    {
        c.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return Task.CompletedTask;
    });

    public async Task WaitForConnectionsAsync(int count, TimeSpan? timeout = null) =>
        await Eventually.TrueAsync(() => ConnectionCount >= count && Latest().IsOpen, timeout ?? TimeSpan.FromSeconds(10), $"{count} Socket Mode connection(s)");

    /// <summary>Sends an envelope on the next open connection in turn (or on <paramref name="on"/>) and returns its envelope id.</summary>
    public Task<string> SendEnvelopeAsync(string type, JsonObject payload, FakeSocket? on = null)
    {
        var envelopeId = Guid.NewGuid().ToString();
        return SendEnvelopeAsync(type, payload, envelopeId, retryAttempt: 0, on);
    }

    public async Task<string> SendEnvelopeAsync(string type, JsonObject payload, string envelopeId, int retryAttempt, FakeSocket? on = null)
    {
        var envelope = new JsonObject
        {
            ["envelope_id"] = envelopeId,
            ["type"] = type,
            ["payload"] = payload.DeepClone(),
            ["accepts_response_payload"] = type != "events_api",
        };
        if (type == "events_api")
        {
            envelope["retry_attempt"] = retryAttempt;
            envelope["retry_reason"] = retryAttempt == 0 ? "" : "timeout";
        }

        var ack = _acks.GetOrAdd(envelopeId, _ => new TaskCompletionSource<Ack>(TaskCreationOptions.RunContinuationsAsynchronously));
        var socket = on ?? NextInTurn();
        _envelopes[envelopeId] = new Envelope(envelopeId, type, payload["event_id"]?.GetValue<string>(), retryAttempt, DateTimeOffset.UtcNow)
        {
            Connection = socket.Number,
        };
        try
        {
            await socket.SendAsync(envelope);
        }
        catch (Exception e) when (type == "events_api" && e is WebSocketException or ObjectDisposedException)
        {
            // The connection died on the way: like any unacknowledged event, it is sent again below.
        }

        if (type == "events_api")
        {
            _ = RedeliverIfUnackedAsync(ack.Task, type, payload, retryAttempt);
        }

        return envelopeId;
    }

    public async Task<Ack> WaitForAckAsync(string envelopeId, TimeSpan? timeout = null)
    {
        var ack = _acks.GetOrAdd(envelopeId, _ => new TaskCompletionSource<Ack>(TaskCreationOptions.RunContinuationsAsynchronously));
        return await ack.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>The open connections, oldest first.</summary>
    public IReadOnlyList<FakeSocket> OpenSockets()
    {
        lock (_socketsLock)
        {
            return [.. _sockets.Where(s => s.IsOpen)];
        }
    }

    /// <summary>As Slack spreads envelopes: each open connection in turn; with none open, the newest.</summary>
    public FakeSocket NextInTurn()
    {
        lock (_socketsLock)
        {
            var open = _sockets.Where(s => s.IsOpen).ToList();
            return open.Count == 0 ? Latest() : open[(int)((uint)_turn++ % (uint)open.Count)];
        }
    }

    public FakeSocket Latest()
    {
        lock (_socketsLock)
        {
            return _sockets.LastOrDefault(s => s.IsOpen) ?? _sockets.LastOrDefault() ?? throw new InvalidOperationException("No Socket Mode connection yet.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<FakeSocket> sockets;
        lock (_socketsLock)
        {
            sockets = [.. _sockets];
        }

        foreach (var socket in sockets)
        {
            socket.Abort();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _http.Dispose();
    }

    /// <summary>
    /// Signs and posts an Events API callback to the bot as Slack does, retrying what is not answered 2xx within
    /// <see cref="HttpDeadline"/> (X-Slack-Retry-Num 1 to 3, with the reason); completes once it was received or given up.
    /// </summary>
    public async Task<bool> DeliverEventAsync(JsonObject callback)
    {
        var body = callback.ToJsonString();
        var eventId = callback["event_id"]?.GetValue<string>();
        string? reason = null;
        for (var attempt = 0; ; attempt++)
        {
            (var status, reason) = await PostSignedAsync("/slack/events", body, "application/json", attempt, reason);
            var received = status is >= 200 and < 300;
            Deliveries.Enqueue(new Delivery(eventId, attempt, status, reason, received, DateTimeOffset.UtcNow));
            if (received)
            {
                return true;
            }

            if (attempt >= HttpRetryDelays.Count)
            {
                GivenUpEventIds[eventId ?? ""] = 0;
                return false;
            }

            await Task.Delay(HttpRetryDelays[attempt]);
        }
    }

    /// <summary>Signs and posts a slash command as HTTP mode receives it; not retried (Slack shows the person an error instead).</summary>
    public Task<(int? Status, string Body)> PostCommandAsync(JsonObject command) =>
        PostFormAsync("/slack/commands", string.Join("&", command.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value!.GetValue<string>())}")));

    /// <summary>Signs and posts an interaction (a button press) as HTTP mode receives it; not retried either.</summary>
    public Task<(int? Status, string Body)> PostInteractionAsync(JsonObject payload) =>
        PostFormAsync("/slack/interactivity", "payload=" + Uri.EscapeDataString(payload.ToJsonString()));

    private async Task<(int? Status, string Body)> PostFormAsync(string path, string form)
    {
        using var request = SignedRequest(path, form, "application/x-www-form-urlencoded");
        using var deadline = new CancellationTokenSource(HttpDeadline);
        try
        {
            using var response = await _http.SendAsync(request, deadline.Token);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(deadline.Token));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return (null, "");
        }
    }

    private async Task<(int? Status, string? Reason)> PostSignedAsync(string path, string body, string contentType, int attempt, string? retryReason)
    {
        using var request = SignedRequest(path, body, contentType);
        if (attempt > 0)
        {
            request.Headers.Add("X-Slack-Retry-Num", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("X-Slack-Retry-Reason", retryReason ?? "http_error");
        }

        using var deadline = new CancellationTokenSource(HttpDeadline);
        try
        {
            using var response = await _http.SendAsync(request, deadline.Token);
            var status = (int)response.StatusCode;
            return (status, status is >= 200 and < 300 ? null : "http_error");
        }
        catch (OperationCanceledException)
        {
            // Slack does not wait past its deadline: a late 200 is not taken as received.
            return (null, "http_timeout");
        }
        catch (HttpRequestException)
        {
            return (null, "connection_failed");
        }
    }

    private HttpRequestMessage SignedRequest(string path, string body, string contentType)
    {
        var bot = BotUrl ?? throw new InvalidOperationException("Set BotUrl to the bot's HTTP address first.");
        var timestamp = Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(bot, path)) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        request.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        request.Headers.Add("X-Slack-Signature", Sign(timestamp, body));
        return request;
    }

    // Slack's v0 request signature: HMAC-SHA256 of "v0:{timestamp}:{body}" with the signing secret (protocols.md §8).
    private string Sign(string timestamp, string body)
    {
        var mac = System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningSecret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}"));
        return "v0=" + Convert.ToHexStringLower(mac);
    }

    private async Task RedeliverIfUnackedAsync(Task<Ack> acked, string type, JsonObject payload, int retryAttempt)
    {
        if (await Task.WhenAny(acked, Task.Delay(RedeliverAfter)) == acked)
        {
            return;
        }

        if (retryAttempt >= 3)
        {
            GivenUpEventIds[payload["event_id"]?.GetValue<string>() ?? ""] = 0;
            return;
        }

        // After a crash there is no connection for a while: the event waits for the next one.
        var until = DateTimeOffset.UtcNow + WaitForConnectionUpTo;
        while (!HasOpenConnection())
        {
            if (DateTimeOffset.UtcNow > until)
            {
                GivenUpEventIds[payload["event_id"]?.GetValue<string>() ?? ""] = 0;
                return;
            }

            await Task.Delay(20);
        }

        try
        {
            // Slack re-sends the same event in a fresh envelope, counting the attempt.
            await SendEnvelopeAsync(type, payload, Guid.NewGuid().ToString(), retryAttempt + 1);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private bool HasOpenConnection()
    {
        lock (_socketsLock)
        {
            return _sockets.Any(s => s.IsOpen);
        }
    }

    private void Inject(string method, Func<HttpContext, Task> response) =>
        _injected.GetOrAdd(method, _ => new ConcurrentQueue<Func<HttpContext, Task>>()).Enqueue(response);

    private async Task HandleApiAsync(HttpContext c, string method)
    {
        var args = await ReadArgsAsync(c.Request);
        var authorization = c.Request.Headers.Authorization.ToString();
        Calls.Enqueue(new ApiCall(method, authorization, args, DateTimeOffset.UtcNow));

        if (_injected.TryGetValue(method, out var queue) && queue.TryDequeue(out var injected))
        {
            await injected(c);
            return;
        }

        var expected = method == "apps.connections.open" ? AppToken : BotToken;
        if (authorization != "Bearer " + expected)
        {
            await Json(c, new JsonObject { ["ok"] = false, ["error"] = authorization.Length == 0 ? "not_authed" : "invalid_auth" });
            return;
        }

        JsonObject answer = method switch
        {
            "apps.connections.open" => new JsonObject { ["ok"] = true, ["url"] = NewSocketUrl() },
            "auth.test" => new JsonObject { ["ok"] = true, ["user_id"] = BotUserId, ["bot_id"] = "BBOT", ["team_id"] = "T111", ["user"] = "supportbot" },
            "conversations.open" when args["users"]?.GetValue<string>() is { Length: > 0 } user && !user.Contains(',', StringComparison.Ordinal) =>
                new JsonObject { ["ok"] = true, ["channel"] = new JsonObject { ["id"] = "D" + user } },
            "chat.postMessage" when args["channel"] is not null => Posted(args),
            "conversations.history" when args["channel"]?.ToString() is { Length: > 0 } channel => History(channel, args),
            "views.open" when args["trigger_id"] is not null && args["view"] is JsonObject => new JsonObject { ["ok"] = true, ["view"] = new JsonObject { ["id"] = "V1" } },
"users.info" when args["user"]?.GetValue<string>() is { Length: > 0 } id => UserInfo(id),
            "usergroups.users.list" => new JsonObject { ["ok"] = true, ["users"] = new JsonArray(UserGroupMembers.Select(u => (JsonNode)u).ToArray()) },
            "conversations.open" or "chat.postMessage" or "views.open" or "users.info" or "conversations.history" => new JsonObject { ["ok"] = false, ["error"] = "invalid_arguments" },
            _ => new JsonObject { ["ok"] = false, ["error"] = "unknown_method" },
        };
        await Json(c, answer);
    }

    private async Task HandleResponseUrlAsync(HttpContext c, string id)
    {
        var body = await ReadArgsAsync(c.Request);
        Responses.Enqueue(new ResponsePost(id, body, DateTimeOffset.UtcNow));
        c.Response.ContentType = "application/json";
        await c.Response.WriteAsync("{\"ok\":true}");
    }

    private async Task HandleSocketAsync(HttpContext c)
    {
        var ticket = c.Request.Query["ticket"].ToString();
        if (!c.WebSockets.IsWebSocketRequest || !_tickets.TryRemove(ticket, out _))
        {
            // Socket Mode URLs are single use.
            c.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        using var ws = await c.WebSockets.AcceptWebSocketAsync();
        var socket = new FakeSocket(ws) { Number = Interlocked.Increment(ref _connectionNumber) };
        if (OpenConnectionCount >= MaxConnections)
        {
            // Slack's answer to one connection too many: a disconnect notice instead of hello.
            Refusals.Enqueue($"too_many_websockets: connection {socket.Number} past the limit of {MaxConnections}");
            await socket.SendDisconnectAsync("too_many_websockets");
            await socket.CloseAsync();
            return;
        }

        await socket.SendAsync(new JsonObject
        {
            ["type"] = "hello",
            ["num_connections"] = OpenConnectionCount + 1,
            ["debug_info"] = new JsonObject { ["host"] = "applink-fake", ["approximate_connection_time"] = 18060 },
            ["connection_info"] = new JsonObject { ["app_id"] = "A111" },
        });
        lock (_socketsLock)
        {
            _sockets.Add(socket);
        }

        await socket.ReceiveLoopAsync(frame =>
        {
            var id = frame["envelope_id"]?.GetValue<string>();
            if (id is null)
            {
                return;
            }

            if (AcksToLose > 0)
            {
                AcksToLose--;
                return;
            }

            var ack = new Ack(id, frame["payload"] as JsonObject, DateTimeOffset.UtcNow) { Connection = socket.Number };
            AllAcks.Enqueue(ack);
            _acks.GetOrAdd(id, _ => new TaskCompletionSource<Ack>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(ack);
        });
    }

    private string NewSocketUrl()
    {
        var ticket = Interlocked.Increment(ref _ticket).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _tickets[ticket] = 0;
        return $"ws://{BaseUrl.Authority}/link/?ticket={ticket}&app_id=A111";
    }

    private JsonObject UserInfo(string id)
    {
        var (displayName, realName) = Profiles.TryGetValue(id, out var profile) ? profile : ("", "");
        return new JsonObject
        {
            ["ok"] = true,
            ["user"] = new JsonObject
            {
                ["id"] = id,
                ["name"] = id.ToLowerInvariant(),
                ["real_name"] = realName,
                ["profile"] = new JsonObject { ["display_name"] = displayName, ["real_name"] = realName },
            },
        };
    }

    /// <summary>chat.postMessage: the message kept in its channel, with its metadata if it had any.</summary>
    private JsonObject Posted(JsonObject args)
    {
        var channel = args["channel"]!.ToString();
        var message = new JsonObject { ["type"] = "message", ["user"] = BotUserId, ["bot_id"] = "BBOT", ["ts"] = NextTs(), ["text"] = args["text"]?.DeepClone() };
        if (args["metadata"] is JsonObject metadata)
        {
            message["metadata"] = metadata.DeepClone();
        }

        _posted.GetOrAdd(channel, _ => new ConcurrentQueue<JsonObject>()).Enqueue(message);
        return new JsonObject { ["ok"] = true, ["channel"] = channel, ["ts"] = message["ts"]!.DeepClone() };
    }

    /// <summary>conversations.history: the channel's latest messages first; metadata only when asked for.</summary>
    private JsonObject History(string channel, JsonObject args)
    {
        var limit = int.TryParse(args["limit"]?.ToString(), out var asked) ? asked : 100;
        if (limit is < 1 or > 1000)
        {
            return new JsonObject { ["ok"] = false, ["error"] = "invalid_limit" };
        }

        var withMetadata = args["include_all_metadata"]?.ToString() is "true" or "1";
        var latest = (_posted.TryGetValue(channel, out var kept) ? kept.ToArray() : []).Reverse().Take(limit).Select(m =>
        {
            var copy = (JsonObject)m.DeepClone();
            if (!withMetadata)
            {
                copy.Remove("metadata");
            }

            return (JsonNode)copy;
        });
        return new JsonObject { ["ok"] = true, ["messages"] = new JsonArray(latest.ToArray()), ["has_more"] = false };
    }

    private string NextTs() => $"1700000000.{Interlocked.Increment(ref _ts):D6}";

    private static async Task Json(HttpContext c, JsonObject body)
    {
        c.Response.ContentType = "application/json; charset=utf-8";
        await c.Response.WriteAsync(body.ToJsonString());
    }

    // Slack accepts form bodies (nested values as JSON strings) and JSON bodies alike.
    private static async Task<JsonObject> ReadArgsAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        if (request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true)
        {
            return JsonNode.Parse(text) as JsonObject ?? [];
        }

        var args = new JsonObject();
        foreach (var (key, value) in Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(text))
        {
            var s = value.ToString();
            args[key] = s.StartsWith('[') || s.StartsWith('{') ? JsonNode.Parse(s) : s;
        }

        return args;
    }
}

public sealed record ApiCall(string Method, string Authorization, JsonObject Args, DateTimeOffset At)
{
    /// <summary>Every string the call carried, for asserting what a message never contains.</summary>
    public string AllText => Args.ToJsonString();
}

public sealed record ResponsePost(string Id, JsonObject Body, DateTimeOffset At);

public sealed record Ack(string EnvelopeId, JsonObject? Payload, DateTimeOffset At)
{
    /// <summary>The number of the Socket Mode connection the ack came on.</summary>
    public int Connection { get; init; }
}

/// <summary>A Socket Mode envelope as sent; <see cref="EventId"/> is the event_id of an events_api payload.</summary>
public sealed record Envelope(string EnvelopeId, string Type, string? EventId, int RetryAttempt, DateTimeOffset At)
{
    /// <summary>The number of the Socket Mode connection it was sent on.</summary>
    public int Connection { get; init; }
}

/// <summary>One HTTP request Slack made to the bot: its status (null when none came in time) and whether Slack took it as received.</summary>
public sealed record Delivery(string? EventId, int Attempt, int? Status, string? Reason, bool Received, DateTimeOffset At);

/// <summary>One accepted Socket Mode connection on the fake's side.</summary>
public sealed class FakeSocket(WebSocket socket) : IDisposable
{
    private readonly SemaphoreSlim _send = new(1, 1);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsOpen => socket.State == WebSocketState.Open && !_closed.Task.IsCompleted;

    /// <summary>Counts connections from 1 in the order they were accepted.</summary>
    public int Number { get; init; }

    public Task Closed => _closed.Task;

    public async Task SendAsync(JsonObject frame)
    {
        await _send.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(frame.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _send.Release();
        }
    }

    public Task SendDisconnectAsync(string reason) => SendAsync(new JsonObject
    {
        ["type"] = "disconnect",
        ["reason"] = reason,
        ["debug_info"] = new JsonObject { ["host"] = "applink-fake" },
    });

    public async Task CloseAsync()
    {
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "refresh", CancellationToken.None);
        }
        catch (WebSocketException)
        {
        }
    }

    public void Dispose() => _send.Dispose();

    /// <summary>Drops the connection without a close handshake, as a network failure would.</summary>
    public void Abort()
    {
        socket.Abort();
        _closed.TrySetResult();
    }

    internal async Task ReceiveLoopAsync(Action<JsonObject> onFrame)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    }

                    break;
                }

                if (JsonNode.Parse(message.ToArray()) is JsonObject frame)
                {
                    onFrame(frame);
                }
            }
        }
        catch (WebSocketException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _closed.TrySetResult();
        }
    }
}

/// <summary>Polls a condition: the fakes run on real sockets, so effects arrive a little later.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var until = DateTimeOffset.UtcNow + timeout;
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > until)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds} s for {what}.");
            }

            await Task.Delay(20);
        }
    }
}
