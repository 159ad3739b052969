using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Slack.Wire;

namespace SupportBot.Slack;

/// <summary>
/// Slack's Web API over one HttpClient: Bearer token, form or JSON bodies as each method expects,
/// <c>ok:false</c> turned into <see cref="SlackApiException"/>, 429 honoured with Retry-After, 5xx retried with backoff.
/// Never logs a token, a response_url or any text it sends.
/// </summary>
public sealed partial class SlackApi : IDisposable
{
    private const int MaxAttempts = 4;

    /// <summary>The metadata event type of the bot's replies that carry a nonce.</summary>
    private const string ReplyEventType = "supportbot_reply";

    /// <summary>How many of a channel's latest messages <see cref="WasPostedAsync"/> reads: a takeover follows a kill within a lease or a restart.</summary>
    private const string HistoryDepth = "100";
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;
    private readonly SlackOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SlackApi> _logger;
    private readonly string _baseUrl;

    public SlackApi(IOptions<SlackOptions> options, TimeProvider time, ILogger<SlackApi> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _baseUrl = _options.ApiBaseUrl.TrimEnd('/') + "/";
        // A bounded pool of keep-alive connections: a burst waits for one instead of opening a connection per call.
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 32,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>A single-use Socket Mode URL, asked for with the app-level token.</summary>
    public async Task<Uri> OpenConnectionAsync(CancellationToken ct)
    {
        var response = await CallFormAsync("apps.connections.open", _options.AppToken, [], ct);
        return Uri.TryCreate(response.Url, UriKind.Absolute, out var url)
            ? url
            : throw new SlackApiException("apps.connections.open", "no_url_in_response");
    }

    /// <summary>The bot's own user id, so its own messages are never taken for someone else's.</summary>
    public async Task<string> GetBotUserIdAsync(CancellationToken ct)
    {
        var response = await CallFormAsync("auth.test", _options.BotToken, [], ct);
        return response.UserId ?? throw new SlackApiException("auth.test", "no_user_id_in_response");
    }

    public async Task<string> OpenDirectChannelAsync(string userId, CancellationToken ct)
    {
        var response = await CallFormAsync("conversations.open", _options.BotToken, [new("users", userId)], ct);
        return response.Channel?.Id ?? throw new SlackApiException("conversations.open", "no_channel_in_response");
    }

    /// <summary>The name a person shows in Slack (scope users:read): display name, else real name, else username.</summary>
    public async Task<string?> GetUserNameAsync(string userId, CancellationToken ct)
    {
        var response = await CallFormAsync("users.info", _options.BotToken, [new("user", userId)], ct);
        return response.User is { } user ? user.DisplayName ?? user.RealName ?? user.Name : null;
    }

    public async Task<IReadOnlyList<string>> GetUserGroupMembersAsync(string groupId, CancellationToken ct)
    {
        var response = await CallFormAsync("usergroups.users.list", _options.BotToken, [new("usergroup", groupId)], ct);
        return response.Users ?? [];
    }

    /// <summary>
    /// Posts a message; with a <paramref name="nonce"/>, it rides in the message's metadata (an event type of the bot's
    /// own), for <see cref="WasPostedAsync"/> to find. Slack itself drops no repeat: chat.postMessage has no idempotency key.
    /// </summary>
    public Task PostMessageAsync(string channel, SlackMessage message, string? nonce, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["channel"] = channel,
            ["text"] = message.Text,
            ["blocks"] = message.Blocks.DeepClone(),
        };
        if (nonce is not null)
        {
            body["metadata"] = new JsonObject { ["event_type"] = ReplyEventType, ["event_payload"] = new JsonObject { ["nonce"] = nonce } };
        }

        return CallJsonAsync("chat.postMessage", body, ct);
    }

    /// <summary>
    /// Whether one of the channel's latest messages (the last <see cref="HistoryDepth"/>) is the bot's with this nonce in
    /// its metadata: conversations.history with include_all_metadata (scope im:history for a DM channel).
    /// </summary>
    public async Task<bool> WasPostedAsync(string channel, string nonce, CancellationToken ct)
    {
        var response = await CallFormAsync("conversations.history", _options.BotToken,
            [new("channel", channel), new("limit", HistoryDepth), new("include_all_metadata", "true")], ct);
        return response.Messages?.Any(m => m.Metadata is { EventType: ReplyEventType, EventPayload.Nonce: var posted } && posted == nonce) == true;
    }

    public Task OpenViewAsync(string triggerId, JsonObject view, CancellationToken ct) =>
        CallJsonAsync("views.open", new JsonObject { ["trigger_id"] = triggerId, ["view"] = view.DeepClone() }, ct);

    /// <summary>Answers an interaction through its response_url (no token: the URL itself is the credential).</summary>
    public async Task RespondAsync(string responseUrl, JsonObject body, CancellationToken ct)
    {
        if (!Uri.TryCreate(responseUrl, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            throw new SlackApiException("response_url", "invalid_response_url");
        }

        var json = body.ToJsonString();
        using var response = await SendWithRetriesAsync("response_url", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            return request;
        }, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (text.TrimStart().StartsWith('{'))
        {
            var parsed = JsonSerializer.Deserialize(text, SlackJson.Default.ApiResponse);
            if (parsed is { Ok: false })
            {
                throw new SlackApiException("response_url", parsed.Error ?? "unknown_error");
            }
        }
    }

    private Task<ApiResponse> CallFormAsync(string method, string token, KeyValuePair<string, string>[] fields, CancellationToken ct) =>
        CallAsync(method, token, () => new FormUrlEncodedContent(fields), ct);

    private Task<ApiResponse> CallJsonAsync(string method, JsonObject body, CancellationToken ct)
    {
        var json = body.ToJsonString();
        return CallAsync(method, _options.BotToken, () => new StringContent(json, Encoding.UTF8, "application/json"), ct);
    }

    private async Task<ApiResponse> CallAsync(string method, string token, Func<HttpContent> content, CancellationToken ct)
    {
        using var response = await SendWithRetriesAsync(method, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, _baseUrl + method) { Content = content() };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return request;
        }, ct);

        ApiResponse? parsed;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            parsed = await JsonSerializer.DeserializeAsync(stream, SlackJson.Default.ApiResponse, ct);
        }
        catch (JsonException e)
        {
            // A proxy's error page, for example.
            throw new SlackApiException(method, "invalid_json", e);
        }

        if (parsed is not { Ok: true })
        {
            var error = parsed?.Error ?? "unknown_error";
            LogRefused(method, error);
            throw new SlackApiException(method, error);
        }

        return parsed;
    }

    private async Task<HttpResponseMessage> SendWithRetriesAsync(string method, Func<HttpRequestMessage> build, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage? response = null;
            TimeSpan wait;
            using (var request = build())
            {
                try
                {
                    response = await _http.SendAsync(request, ct);
                }
                catch (HttpRequestException e) when (attempt < MaxAttempts)
                {
                    LogTransportFailed(e.GetType().Name, method, attempt);
                }
            }

            if (response is not null)
            {
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < MaxAttempts)
                {
                    wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                    wait = wait > MaxRetryAfter ? MaxRetryAfter : wait;
                    LogRateLimited(method, wait.TotalSeconds);
                    response.Dispose();
                    await Task.Delay(wait, _time, ct);
                    continue;
                }

                if ((int)response.StatusCode >= 500 && attempt < MaxAttempts)
                {
                    LogServerError(method, (int)response.StatusCode, attempt);
                    response.Dispose();
                }
                else if (response.IsSuccessStatusCode)
                {
                    return response;
                }
                else
                {
                    var status = (int)response.StatusCode;
                    response.Dispose();
                    throw new SlackApiException(method, $"http_{status}");
                }
            }

            // Backoff for 5xx and transport failures: 0.5 s, 1 s, 2 s.
            wait = TimeSpan.FromMilliseconds(500 * Math.Pow(2, attempt - 1));
            await Task.Delay(wait, _time, ct);
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack {Method} refused the call: {Error}")]
    private partial void LogRefused(string method, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack {Method} is rate limited; waiting {Seconds} s as Retry-After asks")]
    private partial void LogRateLimited(string method, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack {Method} answered HTTP {Status} (attempt {Attempt}); retrying")]
    private partial void LogServerError(string method, int status, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack {Method} could not be reached ({Failure}, attempt {Attempt}); retrying")]
    private partial void LogTransportFailed(string failure, string method, int attempt);
}
