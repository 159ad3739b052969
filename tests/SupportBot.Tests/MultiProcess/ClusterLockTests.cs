using System.Security.Cryptography;
using Dapper;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.MultiProcess;

/// <summary>
/// Issue 14: the retention sweep and the support timers run in one process at a time across processes on one
/// PostgreSQL database, and another process takes them over when that one ends or loses its session.
/// </summary>
public sealed class ClusterLockTests : IDisposable
{
    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly CoreHarness _a;
    private readonly CoreHarness _b;

    public ClusterLockTests()
    {
        _a = new CoreHarness(settings: new Dictionary<string, string?> { ["Storage:EncryptionKey"] = _key }, store: Store.Postgres);
        _b = new CoreHarness(
            settings: new Dictionary<string, string?> { ["Storage:EncryptionKey"] = _key, ["Storage:ConnectionString"] = _a.ConnectionString },
            store: Store.Postgres);
    }

    public void Dispose()
    {
        _b.Dispose();
        _a.Dispose();
    }

    [PostgresFact]
    public async Task Only_the_process_holding_the_lock_runs_a_tick_and_another_takes_it_when_that_process_ends()
    {
        var ticks = new List<string>();
        Assert.True(await _a.Get<ClusterLock>().RunIfHeldAsync(_ => Tick(ticks, "a"), default));
        Assert.False(await _b.Get<ClusterLock>().RunIfHeldAsync(_ => Tick(ticks, "b"), default));
        Assert.True(await _a.Get<ClusterLock>().RunIfHeldAsync(_ => Tick(ticks, "a"), default));

        // A stops: its services go, and its session with the lock.
        await _a.Get<ClusterLock>().DisposeAsync();
        await WaitUntilTheServerLetsGoAsync();

        Assert.True(await _b.Get<ClusterLock>().RunIfHeldAsync(_ => Tick(ticks, "b"), default));
        Assert.Equal(["a", "a", "b"], ticks);
    }

    [PostgresFact]
    public async Task A_process_whose_session_was_cut_stops_running_the_timers_and_another_takes_them()
    {
        Assert.True(await _a.Get<ClusterLock>().HoldAsync(default));
        Assert.False(await _b.Get<ClusterLock>().HoldAsync(default));

        // The server ends A's session (a network cut, a failover), as it does for a process killed with -9.
        using (var admin = _a.OpenRaw())
        {
            Assert.Equal(1, admin.ExecuteScalar<int>(
                """
                SELECT COUNT(*) FROM (
                    SELECT pg_terminate_backend(l.pid) FROM pg_locks l
                    JOIN pg_database d ON d.oid = l.database AND d.datname = current_database()
                    WHERE l.locktype = 'advisory' AND l.granted AND l.pid <> pg_backend_pid()) t
                """));
        }

        Assert.False(await _a.Get<ClusterLock>().HoldAsync(default));
        await WaitUntilTheServerLetsGoAsync();
        Assert.True(await _b.Get<ClusterLock>().HoldAsync(default));
        Assert.False(await _a.Get<ClusterLock>().HoldAsync(default));
        Assert.Contains(_a.Logs.Lines, l => l.Contains("Lost the cluster lock", StringComparison.Ordinal));
    }

    /// <summary>
    /// A session's end (closed, or terminated by the server) is asynchronous: its backend lets go of the advisory lock a
    /// moment after the client or the terminating call returns. The tests wait for that, as another process's next tick
    /// would, so that they measure the takeover and not how fast a loaded machine ends a backend.
    /// </summary>
    private async Task WaitUntilTheServerLetsGoAsync()
    {
        using var admin = _b.OpenRaw();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (admin.ExecuteScalar<int>(
            """
            SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database AND d.datname = current_database()
            WHERE l.locktype = 'advisory' AND l.granted
            """) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the ended session still holds the lock after 30 s");
            await Task.Delay(20);
        }
    }

    private static Task Tick(List<string> ticks, string who)
    {
        ticks.Add(who);
        return Task.CompletedTask;
    }
}
