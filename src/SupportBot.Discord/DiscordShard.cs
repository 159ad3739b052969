using System.Net;
using Microsoft.Extensions.Logging;
using SupportBot.Core;
using SupportBot.Core.Storage;

namespace SupportBot.Discord;

/// <summary>
/// One shard of the bot: its own gateway connection, heartbeat, sequence and saved session (Meta
/// <c>Discord:Session:{shard}</c>), so it resumes after a drop or a restart without the other shards noticing. Connects,
/// resumes, backs off (<see cref="ReconnectBackoff"/>) and stops for good only on a configuration error. Its dispatches
/// go to the process's one <see cref="DiscordReceiver"/>.
/// </summary>
internal sealed partial class DiscordShard
{
    private readonly DiscordOptions _options;
    private readonly DiscordApi _api;
    private readonly DiscordReceiver _receiver;
    private readonly DiscordSessionStore _sessions;
    private readonly DiscordOpenConversations _open;
    private readonly DiscordIdentifyLimiter _identify;
    private readonly Func<CancellationToken, Task> _register;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DiscordGateway _gateway;
    private readonly DiscordSequence _sequence;
    private readonly ReconnectBackoff _backoff;
    private int _maxConcurrency = 1;
    private bool _recommendationLogged;
    private CancellationToken _stopping;

    public DiscordShard(
        int id,
        DiscordOptions options,
        DiscordApi api,
        DiscordReceiver receiver,
        DiscordSessionStore sessions,
        DiscordOpenConversations open,
        DiscordIdentifyLimiter identify,
        Func<CancellationToken, Task> register,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        Id = id;
        _options = options;
        _api = api;
        _receiver = receiver;
        _sessions = sessions;
        _open = open;
        _identify = identify;
        _register = register;
        _time = time;
        _logger = loggers.CreateLogger<DiscordShard>();
        _backoff = new ReconnectBackoff(time);
        _sequence = new DiscordSequence(sessions, id, loggers.CreateLogger<DiscordSequence>());
        _gateway = new DiscordGateway(options, id, time, _logger);
        _gateway.OnDispatch = (name, data, seq) =>
        {
            Task<bool>? settled = null;
            try
            {
                settled = _receiver.OnDispatch(name, data, _gateway.BotUserId, _gateway.Replaying);
            }
            finally
            {
                // Claimed only once a direct message is stored, or an interaction handled: see DiscordSequence.
                _sequence.Received(seq, settled);
            }

            return _receiver.RoomAsync();
        };
        _gateway.OnReady = StartedAsync;
        _gateway.OnEstablished = () =>
        {
            _backoff.Established();
            StateChanged(Id, true);
        };
    }

    public int Id { get; }

    /// <summary>Called with true when a session is established (READY or RESUMED), false when the connection ended.</summary>
    public Action<int, bool> StateChanged { get; set; } = (_, _) => { };

    /// <summary>The saved session, so the shard resumes and Discord replays what it missed.</summary>
    public async Task RestoreAsync(CancellationToken ct)
    {
        try
        {
            if (await _sessions.LoadAsync(Id, ct) is { } saved)
            {
                _gateway.Restore(saved);
                _sequence.Restore(saved);
                LogRestored(Id, saved.Seq);
            }
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            LogRestoreFailed(Id, fault);
        }
    }

    /// <summary>Writes the claimed sequence whenever it moves, until cancelled; see <see cref="DiscordSequence"/>.</summary>
    public Task WriteLoopAsync(CancellationToken ct) => _sequence.WriteLoopAsync(DiscordConnection.WriteSequenceEvery, ct);

    /// <summary>Writes the last claim, when stopping.</summary>
    public Task WriteAsync(CancellationToken ct) => _sequence.WriteAsync(ct);

    /// <summary>The reconnect loop: returns when stopped, throws <see cref="DiscordFatalException"/> on a configuration error.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Inside the loop so that Discord being unreachable at start is retried like any dropped connection.
                await _register(stoppingToken);
                await RunSessionAsync(stoppingToken);
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
                LogConnectionFailed(Id, e.GetType().Name);
            }

            StateChanged(Id, false);
            var delay = _backoff.NextDelay();
            if (delay > TimeSpan.Zero && !stoppingToken.IsCancellationRequested)
            {
                LogBackoff(Id, _backoff.Failures, delay.TotalMilliseconds);
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

    /// <summary>One session: resumes when it can, else waits for the shard's identify turn first.</summary>
    private async Task RunSessionAsync(CancellationToken ct)
    {
        var url = _gateway.ResumeUrl ?? await GatewayUrlAsync(ct);
        var turn = _gateway.CanResume ? null : await _identify.WaitTurnAsync(Id, _maxConcurrency, ct);
        try
        {
            _gateway.OnIdentifyAnswered = () => turn?.Dispose();
            await _gateway.RunAsync(url, ct);
        }
        finally
        {
            turn?.Dispose();
        }
    }

    private async Task<string> GatewayUrlAsync(CancellationToken ct)
    {
        var gateway = await _api.GetGatewayBotAsync(ct);
        if (gateway.SessionStartLimit is { MaxConcurrency: > 0 } limits)
        {
            _maxConcurrency = limits.MaxConcurrency;
        }

        if (gateway.Shards is { } recommended && recommended > _options.ShardCount && !_recommendationLogged)
        {
            _recommendationLogged = true;
            LogMoreShardsRecommended(recommended, _options.ShardCount);
        }

        if (!_gateway.CanResume && gateway.SessionStartLimit is { Remaining: <= 0 } limit)
        {
            // Identifying past the daily session-start limit resets the token; wait for the window instead.
            LogSessionLimit(limit.ResetAfter);
            await Task.Delay(TimeSpan.FromMilliseconds(limit.ResetAfter), _time, ct);
        }

        return gateway.Url;
    }

    /// <summary>
    /// READY after another session (saved, or lost while running): what Discord sent the old one after its claimed sequence
    /// is gone from the gateway. Direct messages arrive on shard 0 only (Discord's rule), so only shard 0 can have lost
    /// any, and only it reads back: for every open conversation, the DM channel from a little before the last message
    /// stored (the inbox drops what it holds). A process that does not run shard 0 leaves DMs to the one that does.
    /// Awaited on the receive loop, so the reads are queued before the new session's own events.
    /// </summary>
    private async Task StartedAsync(DiscordSession session)
    {
        // With no session before this one (a first start, no saved session) there is no gap to read back, and the
        // receive loop need not wait on the database.
        var replacesOne = _sequence.Durable is not null;
        _sequence.Start(session.SessionId, session.ResumeUrl, session.Seq);
        if (!replacesOne || Id != 0)
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
        var floor = _time.GetUtcNow() - DiscordConnection.BackfillHorizon;
        foreach (var (userId, lastStored) in open)
        {
            var from = lastStored - DiscordConnection.BackfillMargin;
            _receiver.Backfill(userId, Snowflake.At(from > floor ? from : floor));
        }

        if (open.Count > 0)
        {
            LogBackfilling(open.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming the saved Discord session of shard {Shard} from sequence {Seq}")]
    private partial void LogRestored(int shard, int seq);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the saved Discord session of shard {Shard} failed ({Fault}); identifying anew")]
    private partial void LogRestoreFailed(int shard, string fault);

    [LoggerMessage(Level = LogLevel.Information, Message = "New Discord session: reading back the DM channels of {Count} open conversations")]
    private partial void LogBackfilling(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Listing open conversations for a Discord backfill failed ({Fault}); DMs sent while the session was lost are not read back")]
    private partial void LogBackfillSkipped(string fault);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Reason}")]
    private partial void LogFatal(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway connection of shard {Shard} failed ({Kind})")]
    private partial void LogConnectionFailed(int shard, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnecting shard {Shard} to Discord after {Failures} failed attempts in {DelayMs} ms")]
    private partial void LogBackoff(int shard, int failures, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord session start limit reached; waiting {ResetAfterMs} ms")]
    private partial void LogSessionLimit(long resetAfterMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord recommends {Recommended} shards and Discord:ShardCount is {Count}; past 2,500 guilds a shard is refused (4011)")]
    private partial void LogMoreShardsRecommended(int recommended, int count);
}
