using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SupportBot.Core.Storage;

/// <summary>
/// Deletes closed conversations after Storage:RetentionDays, consent steps and complaint drafts abandoned for a
/// day (kept drafts stay until /forget), and processed
/// event ids older than a week (platforms redeliver within minutes, not days). Runs at start, then hourly, in the one
/// process that holds the <see cref="ClusterLock"/>.
/// </summary>
public sealed partial class RetentionSweep(
    ConversationStore store, DraftStore drafts, ClusterLock clusterLock, IOptions<StorageOptions> options, TimeProvider clock, ILogger<RetentionSweep> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                await clusterLock.RunIfHeldAsync(SweepOnceAsync, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var deleted = await store.SweepAsync(now.AddDays(-options.Value.RetentionDays), now.AddDays(-1), now.AddDays(-7), ct);
        await drafts.SweepAsync(now.AddDays(-1), ct);
        if (deleted > 0)
        {
            LogSwept(deleted);
        }

        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention sweep deleted {Count} conversations")]
    private partial void LogSwept(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Retention sweep failed; it runs again in an hour")]
    private partial void LogSweepFailed(Exception exception);
}
