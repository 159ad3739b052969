using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Slack.Wire;

namespace SupportBot.Slack;

/// <summary>
/// HTTP mode: Kestrel with three endpoints Slack posts to (/slack/events, /slack/commands, /slack/interactivity).
/// Every request must carry a valid v0 signature from the last 5 minutes, or it gets 401 and changes nothing.
/// It is its own small web app so the worker host stays a worker. What it receives goes to the same
/// <see cref="SlackResponder"/> as Socket Mode's envelopes.
/// </summary>
/// <remarks>Stopped by <see cref="SlackConnection"/> when the host stops; never started in Socket Mode.</remarks>
internal sealed partial class SlackHttpEndpoint(SlackResponder responder, IOptions<SlackOptions> slackOptions, TimeProvider time, ILogger<SlackHttpEndpoint> logger)
{
    private const int MaxBodyBytes = 1024 * 1024;

    private readonly SlackOptions _options = slackOptions.Value;
    private WebApplication? _app;

    /// <summary>Starts listening on Slack:Urls (the host's --urls when unset, see the registration) and returns the bound address.</summary>
    public async Task<Uri> StartAsync(CancellationToken ct)
    {
        var urls = _options.Urls;
        // Its own configuration is never reloaded: watching appsettings.json would watch every folder under the working
        // directory (inotify, one watch per folder: hundreds, or failing at the user's limit, when started from a home folder).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxBodyBytes);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/slack/events", HandleEventsAsync);
        _app.MapPost("/slack/commands", HandleCommandAsync);
        _app.MapPost("/slack/interactivity", HandleInteractivityAsync);
        await _app.StartAsync(ct);
        var address = _app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? urls;
        return new Uri(address);
    }

    /// <summary>Stops listening, if it was; safe to call more than once.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    private async Task HandleEventsAsync(HttpContext http)
    {
        if (await ReadVerifiedAsync(http) is not { } body)
        {
            return;
        }

        EventCallback? callback;
        try
        {
            callback = JsonSerializer.Deserialize(body, SlackJson.Default.EventCallback);
        }
        catch (JsonException)
        {
            callback = null;
        }

        if (callback?.Type == "url_verification")
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(new System.Text.Json.Nodes.JsonObject { ["challenge"] = callback.Challenge }.ToJsonString(), http.RequestAborted)
                ;
            return;
        }

        // 200 once the event is stored, and work afterwards, in the person's lane; when storing failed, 503 so that Slack
        // retries. A retry (X-Slack-Retry-Num) carries the same event_id, which the inbox knows.
        http.Response.StatusCode = await responder.EventAsync(callback) ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
    }

    private async Task HandleCommandAsync(HttpContext http)
    {
        if (await ReadVerifiedAsync(http) is not { } body)
        {
            return;
        }

        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        var command = new SlashPayload(
            form.TryGetValue("command", out var c) ? c.ToString() : null,
            form.TryGetValue("text", out var t) ? t.ToString() : "",
            form.TryGetValue("user_id", out var u) ? u.ToString() : null,
            form.TryGetValue("user_name", out var n) ? n.ToString() : null,
            form.TryGetValue("channel_id", out var ch) ? ch.ToString() : null,
            form.TryGetValue("response_url", out var r) ? r.ToString() : null,
            form.TryGetValue("trigger_id", out var tr) ? tr.ToString() : null);
        // 200 only once a command that changes state is stored; 503 when it could not be (the person is told by response_url).
        var (received, answer) = await responder.SlashCommandAsync(command);
        http.Response.StatusCode = received ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        if (answer is not null)
        {
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(answer.ToJsonString(), http.RequestAborted);
        }
    }

    private async Task HandleInteractivityAsync(HttpContext http)
    {
        if (await ReadVerifiedAsync(http) is not { } body)
        {
            return;
        }

        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        InteractivePayload? payload = null;
        if (form.TryGetValue("payload", out var json))
        {
            try
            {
                payload = JsonSerializer.Deserialize(json.ToString(), SlackJson.Default.InteractivePayload);
            }
            catch (JsonException)
            {
                payload = null;
            }
        }

        http.Response.StatusCode = await responder.InteractionAsync(payload) ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
    }

    /// <summary>The raw body when the signature is good; otherwise answers 401 and returns null.</summary>
    private async Task<byte[]?> ReadVerifiedAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        var body = buffer.ToArray();
        if (!SlackSignature.IsValid(_options.SigningSecret, http.Request.Headers["X-Slack-Request-Timestamp"],
                http.Request.Headers["X-Slack-Signature"], body, time.GetUtcNow()))
        {
            LogBadSignature(http.Request.Path);
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return null;
        }

        return body;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request to {Path}: missing, wrong or stale Slack signature")]
    private partial void LogBadSignature(string path);
}
