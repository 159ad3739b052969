using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Core.Operations;

namespace SupportBot.Discord;

/// <summary>
/// Keeps this process's Discord shards connected (<see cref="DiscordShardSet"/>: one by default, several with
/// <c>Discord:ShardIds</c>), each a <see cref="DiscordShard"/> with its own connection and saved session. Registers the
/// commands once, hands what the inbox holds from before to the <see cref="DiscordReceiver"/> ahead of anything new,
/// and stops every shard when one meets a configuration error. Stopping lets the receiver finish what was received.
/// </summary>
internal sealed partial class DiscordConnection : BackgroundService
{
    private readonly DiscordReceiver _receiver;
    private readonly DiscordCommandRegistration _registration;
    private readonly Connections _connections;
    private readonly ILogger<DiscordConnection> _logger;
    private readonly IReadOnlyList<DiscordShard> _shards;
    private readonly SemaphoreSlim _registering = new(1, 1);
    private readonly HashSet<int> _up = [];
    private readonly string _description;
    private bool _registered;

    public DiscordConnection(
        DiscordApi api,
        DiscordReceiver receiver,
        DiscordCommandRegistration registration,
        DiscordSessionStore sessions,
        DiscordOpenConversations open,
        DiscordIdentifyLimiter identify,
        Connections connections,
        IOptions<DiscordOptions> options,
        TimeProvider time,
        ILoggerFactory loggers)
    {
        _receiver = receiver;
        _registration = registration;
        _connections = connections;
        _logger = loggers.CreateLogger<DiscordConnection>();
        _shards = [.. DiscordShardSet.Of(options.Value).Select(id =>
            new DiscordShard(id, options.Value, api, receiver, sessions, open, identify, RegisterOnceAsync, time, loggers) { StateChanged = ShardStateChanged })];
        _description = DiscordShardSet.Describe(options.Value);
    }

    /// <summary>How often at most the claimed sequence is written while events arrive.</summary>
    internal static readonly TimeSpan WriteSequenceEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>How far before the last stored message a backfill starts reading.</summary>
    internal static readonly TimeSpan BackfillMargin = TimeSpan.FromMinutes(10);

    /// <summary>How far back a backfill reads at most: less than the week for which the inbox keeps handled ids.</summary>
    internal static readonly TimeSpan BackfillHorizon = TimeSpan.FromDays(6);

    /// <summary>The shard numbers this process runs.</summary>
    internal IEnumerable<int> ShardIds => _shards.Select(s => s.Id);

    public override void Dispose()
    {
        _registering.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogShards(_description);
        using var stopWriting = new CancellationTokenSource();
        var writing = _shards.Select(s => s.WriteLoopAsync(stopWriting.Token)).ToList();
        try
        {
            // Before connecting: each shard's saved session, then what was stored but not handled, into the people's
            // lanes ahead of anything new.
            foreach (var shard in _shards)
            {
                await shard.RestoreAsync(stoppingToken);
            }

            await _receiver.ReplayAsync(stoppingToken);
            await RunShardsAsync(stoppingToken);
        }
        finally
        {
            // The gateway will not deliver again what it delivered: finish it, within the grace period.
            await _receiver.DrainAsync(CancellationToken.None);
            await stopWriting.CancelAsync();
            await Task.WhenAll(writing);
            foreach (var shard in _shards)
            {
                await shard.WriteAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Runs every shard until stopping; a shard's configuration error (a bad token, an invalid shard) stops the others
    /// and the adapter, as it would stop them anyway. Started in order: Discord asks buckets to start in order.
    /// </summary>
    private async Task RunShardsAsync(CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var runs = _shards.Select(s => s.RunAsync(stop.Token)).ToList();
        var first = await Task.WhenAny(runs);
        try
        {
            await first;
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var run in runs.Where(r => r != first))
            {
                try
                {
                    await run;
                }
                catch (DiscordFatalException)
                {
                    // Logged by its shard; the first error is the one the adapter stops with.
                }
            }
        }
    }

    /// <summary>The commands are registered once per start, by whichever shard connects first; a failure is retried by the next attempt.</summary>
    private async Task RegisterOnceAsync(CancellationToken ct)
    {
        if (_registered)
        {
            return;
        }

        await _registering.WaitAsync(ct);
        try
        {
            if (!_registered)
            {
                await _registration.RegisterAsync(ct);
                _registered = true;
            }
        }
        finally
        {
            _registering.Release();
        }
    }

    /// <summary>Ready only while every shard is: each carries the events of its own guilds, and shard 0 the DMs.</summary>
    private void ShardStateChanged(int shard, bool up)
    {
        lock (_up)
        {
            if (!up)
            {
                _up.Remove(shard);
                _connections.Disconnected(Platform.Discord);
            }
            else if (_up.Add(shard) && _up.Count == _shards.Count)
            {
                _connections.Connected(Platform.Discord);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord: this process runs {Shards}")]
    private partial void LogShards(string shards);
}
