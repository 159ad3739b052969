using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Core.Operations;

namespace SupportBot.Discord;

/// <summary>
/// Keeps a Discord gateway session alive: registers the commands, connects, resumes after a drop, backs off
/// (<see cref="ReconnectBackoff"/>) and stops for good only on a configuration error. Dispatches go to the
/// <see cref="DiscordReceiver"/>; stopping lets it finish what was received. The session's READY and RESUMED
/// are in <see cref="DiscordGateway"/>.
/// </summary>
internal sealed partial class DiscordConnection : BackgroundService
{
    private readonly DiscordApi _api;
    private readonly DiscordReceiver _receiver;
    private readonly DiscordCommandRegistration _registration;
    private readonly TimeProvider _time;
    private readonly ILogger<DiscordConnection> _logger;
    private readonly DiscordGateway _gateway;
    private readonly ReconnectBackoff _backoff;
    private readonly Connections _connections;

    public DiscordConnection(
        DiscordApi api,
        DiscordReceiver receiver,
        DiscordCommandRegistration registration,
        Connections connections,
        IOptions<DiscordOptions> options,
        TimeProvider time,
        ILogger<DiscordConnection> logger)
    {
        _api = api;
        _receiver = receiver;
        _registration = registration;
        _connections = connections;
        _time = time;
        _logger = logger;
        _backoff = new ReconnectBackoff(time);
        _gateway = new DiscordGateway(options.Value, time, logger);
        _gateway.OnDispatch = (name, data) =>
        {
            _receiver.OnDispatch(name, data, _gateway.BotUserId);
            return Task.CompletedTask;
        };
        _gateway.OnEstablished = () =>
        {
            _backoff.Established();
            _connections.Connected(Platform.Discord);
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        finally
        {
            // The gateway will not deliver again what it delivered: finish it, within the grace period.
            await _receiver.DrainAsync(CancellationToken.None);
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var registered = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Inside the loop so that Discord being unreachable at start is retried like any dropped connection.
                if (!registered)
                {
                    await _registration.RegisterAsync(stoppingToken);
                    registered = true;
                }

                var url = _gateway.ResumeUrl ?? await GatewayUrlAsync(stoppingToken);
                await _gateway.RunAsync(url, stoppingToken);
            }
            catch (DiscordFatalException e)
            {
                LogFatal(e.Message);
                throw;
            }
            catch (DiscordApiException e) when (e.Status == HttpStatusCode.Unauthorized)
            {
                var fatal = new DiscordFatalException("Discord rejected the token (401): check Discord:Token. The Discord adapter has stopped.");
                LogFatal(fatal.Message);
                throw fatal;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Only the kind of failure is logged: messages of socket errors can carry the gateway address.
                LogConnectionFailed(e.GetType().Name);
            }

            _connections.Disconnected(Platform.Discord);
            var delay = _backoff.NextDelay();
            if (delay > TimeSpan.Zero && !stoppingToken.IsCancellationRequested)
            {
                LogBackoff(_backoff.Failures, delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<string> GatewayUrlAsync(CancellationToken ct)
    {
        var gateway = await _api.GetGatewayBotAsync(ct);
        if (!_gateway.CanResume && gateway.SessionStartLimit is { Remaining: <= 0 } limit)
        {
            // Identifying past the daily session-start limit resets the token; wait for the window instead.
            LogSessionLimit(limit.ResetAfter);
            await Task.Delay(TimeSpan.FromMilliseconds(limit.ResetAfter), _time, ct);
        }

        return gateway.Url;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Reason}")]
    private partial void LogFatal(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway connection failed ({Kind})")]
    private partial void LogConnectionFailed(string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnecting to Discord after {Failures} failed attempts in {DelayMs} ms")]
    private partial void LogBackoff(int failures, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord session start limit reached; waiting {ResetAfterMs} ms")]
    private partial void LogSessionLimit(long resetAfterMs);
}
