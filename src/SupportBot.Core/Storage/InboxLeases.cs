using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SupportBot.Core.Storage;

/// <summary>
/// Keeps this process's inbox leases alive and takes over the ones other processes let run out. Every third of
/// Storage:LeaseSeconds it renews the lease on every event this process holds and has not handled (so a long
/// backlog is never taken from a live process), then hands the events of dead processes to this one's lanes
/// (<see cref="Bot.TakeOverExpiredAsync"/>). When stopping, after the adapters finished what they could, it lets go
/// of what is left, so another process takes it at once instead of after the lease. The same for the outbox
/// (<see cref="OutboxStore"/>): it renews every row this process holds and has not delivered, and delivers, through this
/// process's adapters, those another process left undelivered once their lease ran out (and, at the first tick on
/// SQLite, those of an earlier run known to have ended: <see cref="OwnerLock"/>).
/// </summary>
public sealed partial class InboxLeases(
    InboxStore inbox, OutboxStore outbox, ReplyRouter router, Bot bot, IOptions<StorageOptions> options, TimeProvider clock, ILogger<InboxLeases> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogHolding(inbox.Owner, options.Value.LeaseSeconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.LeaseSeconds) / 3, clock);
        var atStart = true;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await inbox.RenewAsync(stoppingToken);
                await outbox.RenewAsync(stoppingToken);
                await bot.TakeOverExpiredAsync(stoppingToken);
                foreach (var reply in await outbox.TakeOverAsync(router.Platforms, atStart, stoppingToken))
                {
                    await router.DeliverAsync(reply, stoppingToken);
                }

                atStart = false;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogTickFailed(e);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            var released = await inbox.ReleaseAsync(cancellationToken);
            await outbox.ReleaseAsync(cancellationToken);
            if (released > 0)
            {
                LogReleased(released);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReleaseFailed(e);
        }
    }

    // The owner is random per run: it tells an admin which process holds which inbox rows, and nothing else.
    [LoggerMessage(Level = LogLevel.Information, Message = "Inbox leases held as {Owner} for {Seconds} s at a time")]
    private partial void LogHolding(string owner, int seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Renewing inbox leases or taking over expired ones failed; it is tried again at the next tick")]
    private partial void LogTickFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping with {Count} inbox events not handled; released for another process or the next start")]
    private partial void LogReleased(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Releasing inbox leases at stop failed; another process takes the events over when the leases run out")]
    private partial void LogReleaseFailed(Exception exception);
}
