using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Core.Operations;

namespace SupportBot.Slack;

/// <summary>
/// Keeps Slack reaching the bot: <c>Slack:SocketConnections</c> Socket Mode connections (one by default, up to ten),
/// each renewed when Slack asks and after drops with its own <see cref="ReconnectBackoff"/>, or, without an app token,
/// the HTTP endpoint. Slack hands each envelope to one open connection, which acknowledges it; an event sent twice
/// (a retry on another connection) is dropped by the inbox. Either way what arrives goes to the
/// <see cref="SlackResponder"/>, and stopping lets it finish what Slack already handed over.
/// </summary>
internal sealed partial class SlackConnection(
    SlackApi api,
    SlackResponder responder,
    SlackHttpEndpoint http,
    Connections connections,
    IOptions<SlackOptions> options,
    TimeProvider time,
    ILogger<SlackConnection> logger) : BackgroundService
{
    /// <summary>How long a replaced connection may keep delivering before it is closed.</summary>
    private static readonly TimeSpan RetireAfter = TimeSpan.FromSeconds(10);

    private readonly ReconnectBackoff _backoff = new(time);
    private readonly Lock _upLock = new();
    private int _up;
    private CancellationToken _stopping;

    /// <summary>Completes once the bot knows its own user id and is connected (Socket Mode) or listening (HTTP mode).</summary>
    internal TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The address HTTP mode listens on, once <see cref="Ready"/>.</summary>
    internal Uri? HttpAddress { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        try
        {
            responder.BotUserId = await WithBackoffAsync(api.GetBotUserIdAsync, stoppingToken);
            await responder.ReplayAsync(stoppingToken);
            if (options.Value.UseSocketMode)
            {
                await RunSocketModeAsync(stoppingToken);
            }
            else
            {
                HttpAddress = await http.StartAsync(stoppingToken);
                LogListening(HttpAddress.Port);
                Ready.TrySetResult();
                connections.Connected(Platform.Slack);
                await Task.Delay(Timeout.Infinite, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await http.StopAsync();

            // Let accepted work finish: one answer may tell a survivor they were heard.
            await responder.DrainAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Runs the configured number of connections side by side until stopping (or Socket Mode is turned off). Credentials
    /// Slack refuses stop them all: every connection opens with the same app token.
    /// </summary>
    private async Task RunSocketModeAsync(CancellationToken ct)
    {
        var count = options.Value.SocketConnections;
        LogSockets(count);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var runs = Enumerable.Range(1, count).Select(i => RunSocketAsync(i, stop.Token)).ToList();
        while (runs.Count > 0)
        {
            var ended = await Task.WhenAny(runs);
            runs.Remove(ended);
            if (ended.IsFaulted)
            {
                await stop.CancelAsync();
                await Task.WhenAll(runs.Select(IgnoreFailureAsync));
                await ended;
            }
        }
    }

    /// <summary>One connection's loop: opens a fresh single-use URL, reads until it ends, and opens the next.</summary>
    private async Task RunSocketAsync(int number, CancellationToken ct)
    {
        // Each connection backs off on its own: one that keeps failing does not slow the others' reconnects.
        var backoff = new ReconnectBackoff(time);
        var retiring = new List<Task>();
        while (!ct.IsCancellationRequested)
        {
            SlackSocket socket;
            try
            {
                var url = await api.OpenConnectionAsync(ct);
                socket = await SlackSocket.ConnectAsync(url, ct);
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
                var wait = backoff.NextDelay();
                LogConnectFailed(e.GetType().Name, wait.TotalSeconds);
                await Task.Delay(wait, time, ct);
                continue;
            }

            // Slack said hello: the connection is up.
            LogConnected(number);
            backoff.Established();
            Ready.TrySetResult();
            SocketUp();
            var disconnect = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var run = socket.RunAsync(frame => responder.OnEnvelope(frame, payload => AckAsync(socket, frame.EnvelopeId!, payload)), reason => disconnect.TrySetResult(reason), ct);
            var first = await Task.WhenAny(run, disconnect.Task);
            SocketDown();
            TimeSpan delay;
            if (first == disconnect.Task)
            {
                var reason = await disconnect.Task;
                if (reason == "link_disabled")
                {
                    // Socket Mode was turned off for the app: reconnecting cannot help, and hammering Slack would not either.
                    await socket.DisposeAsync();
                    await IgnoreFailureAsync(run);
                    LogLinkDisabled();
                    break;
                }

                if (reason == "too_many_websockets")
                {
                    // At the limit another socket would be refused too: close this one first, then reconnect after a pause.
                    await socket.DisposeAsync();
                    await IgnoreFailureAsync(run);
                }
                else
                {
                    // The old connection keeps delivering (and acking) until it closes or retires, so nothing is lost meanwhile.
                    retiring.RemoveAll(t => t.IsCompleted);
                    retiring.Add(RetireAsync(socket, run, ct));
                }

                delay = backoff.NextDelay();
                LogDisconnectAsked(number, reason, delay.TotalSeconds);
            }
            else
            {
                await IgnoreFailureAsync(run);
                await socket.DisposeAsync();
                if (ct.IsCancellationRequested)
                {
                    break;
                }

                delay = backoff.NextDelay();
                LogDropped(number, delay.TotalSeconds);
            }

            try
            {
                await Task.Delay(delay, time, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
        }

        await Task.WhenAll(retiring);
    }

    /// <summary>Slack reaches the bot while any connection is open: it hands envelopes only to open ones.</summary>
    private void SocketUp()
    {
        lock (_upLock)
        {
            if (++_up == 1)
            {
                connections.Connected(Platform.Slack);
            }
        }
    }

    private void SocketDown()
    {
        lock (_upLock)
        {
            if (--_up == 0)
            {
                connections.Disconnected(Platform.Slack);
            }
        }
    }

    private async Task AckAsync(SlackSocket socket, string envelopeId, JsonObject? payload)
    {
        try
        {
            await socket.AckAsync(envelopeId, payload, _stopping);
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Slack re-sends an envelope it has not seen acknowledged; the core drops the repeat.
            LogAckFailed(e.GetType().Name);
        }
    }

    private async Task RetireAsync(SlackSocket socket, Task run, CancellationToken ct)
    {
        // A cancelled delay completes the wait too, so shutdown does not sit out the grace period.
        await Task.WhenAny(run, Task.Delay(RetireAfter, time, ct));
        await socket.DisposeAsync();
        await IgnoreFailureAsync(run);
    }

    private async Task<T> WithBackoffAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await call(ct);
            }
            catch (SlackApiException e) when (e.IsConfigurationError)
            {
                LogConfigurationError(e.Method, e.Error);
                throw;
            }
            catch (Exception e) when (e is SlackApiException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                var wait = _backoff.NextDelay();
                LogConnectFailed(e.GetType().Name, wait.TotalSeconds);
                await Task.Delay(wait, time, ct);
            }
        }
    }

    private async Task IgnoreFailureAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception e)
        {
            // Whatever ended one connection, the loop reconnects; only the kind of failure is worth a log line.
            if (e is not (WebSocketException or OperationCanceledException or ObjectDisposedException))
            {
                LogConnectionFailed(e.GetType().Name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack Socket Mode connection {Number} connected")]
    private partial void LogConnected(int number);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack Socket Mode: keeping {Count} connection(s) open")]
    private partial void LogSockets(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack HTTP mode listening on port {Port}")]
    private partial void LogListening(int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack asked connection {Number} to disconnect ({Reason}); opening a fresh one in {Seconds} s")]
    private partial void LogDisconnectAsked(int number, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Slack disabled the Socket Mode link; turn Socket Mode back on for the app and restart")]
    private partial void LogLinkDisabled();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack Socket Mode connection {Number} dropped; reconnecting in {Seconds} s")]
    private partial void LogDropped(int number, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connecting to Slack failed ({Failure}); retrying in {Seconds} s")]
    private partial void LogConnectFailed(string failure, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Slack Socket Mode connection ended with {Failure}")]
    private partial void LogConnectionFailed(string failure);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Slack refused the configured credentials on {Method}: {Error}")]
    private partial void LogConfigurationError(string method, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acknowledging a Slack envelope failed ({Failure}); Slack will re-send it")]
    private partial void LogAckFailed(string failure);
}
