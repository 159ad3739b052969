namespace SupportBot.Core.Storage;

/// <summary>
/// Lets the cluster-wide timers (the retention sweep, the support timers) run in one process at a time: a tick runs
/// only in the process that holds the lock. On SQLite that is always this process, as one process uses the file.
/// </summary>
public sealed class ClusterLock(Database database)
{
    /// <summary>Runs <paramref name="tick"/> when this process holds the cluster lock; false when another one does.</summary>
    public async Task<bool> RunIfHeldAsync(Func<CancellationToken, Task> tick, CancellationToken ct)
    {
        if (database.Cluster.SeveralProcesses)
        {
            return false;
        }

        await tick(ct);
        return true;
    }
}
