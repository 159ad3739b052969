using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Core.Operations;
using SupportBot.Core.Storage;

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
    private readonly DiscordSequence _sequence;
    private readonly DiscordSessionStore _sessions;
    private readonly DiscordOpenConversations _open;
    private CancellationToken _stopping;

    public DiscordConnection(
        DiscordApi api,
        DiscordReceiver receiver,
        DiscordCommandRegistration registration,
        DiscordSequence sequence,
        DiscordSessionStore sessions,
        DiscordOpenConversations open,
        Connections connections,
        IOptions<DiscordOptions> options,
        TimeProvider time,
        ILogger<DiscordConnection> logger)
    {
        _api = api;
        _receiver = receiver;
        _registration = registration;
        _connections = connections;
        _sequence = sequence;
        _sessions = sessions;
        _open = open;
        _time = time;
        _logger = logger;
        _backoff = new ReconnectBackoff(time);
        _gateway = new DiscordGateway(options.Value, time, logger);
        _gateway.OnDispatch = (name, data, seq) =>
        {
            _receiver.OnDispatch(name, data, _gateway.BotUserId, seq);
            return Task.CompletedTask;
        };
        _gateway.OnReady = StartedAsync;
        _gateway.OnEstablished = () =>
        {
            _backoff.Established();
            _connections.Connected(Platform.Discord);
        };
    }

    /// <summary>How often at most the claimed sequence is written while events arrive.</summary>
    internal static readonly TimeSpan WriteSequenceEvery = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        using var stopWriting = new CancellationTokenSource();
        var writing = _sequence.WriteLoopAsync(WriteSequenceEvery, stopWriting.Token);
        try
        {
            await RestoreAsync(stoppingToken);
            await RunAsync(stoppingToken);
        }
        finally
        {
            // The gateway will not deliver again what it delivered: finish it, within the grace period.
            await _receiver.DrainAsync(CancellationToken.None);
            await stopWriting.CancelAsync();
            await writing;
            await _sequence.WriteAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Before connecting: the saved session, so the bot resumes and Discord replays what it missed; then what was stored
    /// but not handled, into the people's lanes ahead of anything new.
    /// </summary>
    private async Task RestoreAsync(CancellationToken ct)
    {
        try
        {
            if (await _sessions.LoadAsync(ct) is { } saved)
            {
                _gateway.Restore(saved);
                _sequence.Restore(saved);
                LogRestored(saved.Seq);
            }
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            LogRestoreFailed(fault);
        }

        await _receiver.ReplayAsync(ct);
    }

    /// <summary>
    /// READY after another session (saved, or lost while running): what Discord sent the old one after its claimed sequence is gone from the gateway. For
    /// every open conversation the DM channel is read back from a little before the last message stored (the inbox drops
    /// what it holds). Awaited on the receive loop, so the reads are queued before the new session's own events.
    /// </summary>
    private async Task StartedAsync(DiscordSession session)
    {
        // With no session before this one (a first start, no saved session) there is no gap to read back, and the
        // receive loop need not wait on the database.
        var replacesOne = _sequence.Durable is not null;
        _sequence.Start(session.SessionId, session.ResumeUrl, session.Seq);
        if (!replacesOne)
        {
            return;
        }

        IReadOnlyList<(string UserId, DateTimeOffset LastStored)> open;
        try
        {
            open = await _open.ListAsync(_stopping);
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            LogBackfillSkipped(fault);
            return;
        }

        // The margin covers a message written before the last stored one but lost; the floor stays inside the week for
        // which the inbox remembers handled ids, so nothing older is handled twice.
        var floor = _time.GetUtcNow() - BackfillHorizon;
        foreach (var (userId, lastStored) in open)
        {
            var from = lastStored - BackfillMargin;
            _receiver.Backfill(userId, Snowflake.At(from > floor ? from : floor));
        }

        if (open.Count > 0)
        {
            LogBackfilling(open.Count);
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

    /// <summary>How far before the last stored message a backfill starts reading.</summary>
    internal static readonly TimeSpan BackfillMargin = TimeSpan.FromMinutes(10);

    /// <summary>How far back a backfill reads at most: less than the week for which the inbox keeps handled ids.</summary>
    internal static readonly TimeSpan BackfillHorizon = TimeSpan.FromDays(6);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming the saved Discord session from sequence {Seq}")]
    private partial void LogRestored(int seq);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the saved Discord session failed ({Fault}); identifying anew")]
    private partial void LogRestoreFailed(string fault);

    [LoggerMessage(Level = LogLevel.Information, Message = "New Discord session: reading back the DM channels of {Count} open conversations")]
    private partial void LogBackfilling(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Listing open conversations for a Discord backfill failed ({Fault}); DMs sent while the session was lost are not read back")]
    private partial void LogBackfillSkipped(string fault);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Reason}")]
    private partial void LogFatal(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway connection failed ({Kind})")]
    private partial void LogConnectionFailed(string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnecting to Discord after {Failures} failed attempts in {DelayMs} ms")]
    private partial void LogBackoff(int failures, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord session start limit reached; waiting {ResetAfterMs} ms")]
    private partial void LogSessionLimit(long resetAfterMs);
}
