using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;

namespace SupportBot.Core.Storage;

/// <summary>
/// Lets the cluster-wide timers (the retention sweep, the support timers) run in one process at a time: a tick runs
/// only in the process that holds the lock. On SQLite that is always this process, as one process uses the file. On
/// PostgreSQL it is a session advisory lock taken on a connection of its own and kept open for the life of the process;
/// when the process ends, however it ends, the server drops the session and the lock with it, and another process
/// takes it at its next tick.
/// </summary>
public sealed partial class ClusterLock(Database database, ILogger<ClusterLock> logger) : IAsyncDisposable, IDisposable
{
    /// <summary>The advisory lock key ("SBtimers" in ASCII), apart from the schema migration's.</summary>
    private const long TimersLock = 0x5342_7469_6D65_7273;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DbConnection? _session;
    private bool _held;

    /// <summary>Runs <paramref name="tick"/> when this process holds the cluster lock; false when another one does.</summary>
    public async Task<bool> RunIfHeldAsync(Func<CancellationToken, Task> tick, CancellationToken ct)
    {
        if (!await HoldAsync(ct))
        {
            return false;
        }

        await tick(ct);
        return true;
    }

    /// <summary>True when this process holds the lock, taking it when it is free; false when another process holds it.</summary>
    public async Task<bool> HoldAsync(CancellationToken ct)
    {
        if (database.Cluster.TryLock is not { } tryLock)
        {
            return true;
        }

        await _gate.WaitAsync(ct);
        try
        {
            _session ??= await database.OpenAsync(ct);
            if (_held)
            {
                // The lock lasts as long as the session: a query that goes through proves both are still there.
                #pragma warning disable DAP018 // The token is the only member: Dapper.AOT 1.0.48 calls it an unused SQL parameter and does not pass it on, so a short statement runs to its end once started.
                await _session.ExecuteScalarAsync<int>("SELECT 1", new { ct });
                #pragma warning restore DAP018
                return true;
            }

            // Without the token: Dapper.AOT cannot pass one with SQL it does not see at build time, and the try returns at once.
            _held = await _session.ExecuteScalarAsync<bool>(tryLock, new { key = TimersLock });
            if (_held)
            {
                LogTaken();
            }

            return _held;
        }
        catch (Exception e) when (e is not OperationCanceledException && StorageFault.Kind(e) is { } fault)
        {
            // The session is gone, and the lock with it: another process may take it now; this one tries at its next tick.
            if (_held)
            {
                LogLost(fault);
            }

            _held = false;
            await CloseSessionAsync();
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Lets the lock go at once for another process, and closes the session.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_held && _session is { } session && database.Cluster.Unlock is { } unlock)
        {
            try
            {
                // A pooled connection outlives its Dispose, and a session lock with it: so it is let go by name.
                await session.ExecuteScalarAsync<bool>(unlock, new { key = TimersLock });
            }
            catch (Exception e) when (StorageFault.Kind(e) is not null)
            {
                // The session is gone already, and the lock with it.
            }
        }

        _held = false;
        await CloseSessionAsync();
        _gate.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task CloseSessionAsync()
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This process now runs the cluster-wide timers (retention sweep, support timers)")]
    private partial void LogTaken();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the cluster lock ({Fault}); another process runs the timers until this one takes it again")]
    private partial void LogLost(string fault);
}
