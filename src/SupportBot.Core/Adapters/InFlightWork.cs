using Microsoft.Extensions.Logging;

namespace SupportBot.Core;

/// <summary>
/// Work on events a platform considers delivered (a Slack ack, a Discord sequence the gateway will not replay).
/// Stopping drains it: the work gets a grace period to finish, because its answer may tell a survivor they were
/// heard; after that <see cref="Token"/> is cancelled and the core forgets the event rather than half-handle it.
/// </summary>
public sealed partial class InFlightWork(TimeProvider time, ILogger logger) : IDisposable
{
    /// <summary>How long stopping waits for delivered work before cancelling it.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _cancel = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _running = [];

    /// <summary>For delivered work: not the stopping token, it is cancelled only when the grace period is over.</summary>
    public CancellationToken Token => _cancel.Token;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>Tracks a task until it ends; a failure that escapes it is logged by kind.</summary>
    public Task Track(Task task)
    {
        lock (_lock)
        {
            _running.Add(task);
        }

        _ = task.ContinueWith(
            t =>
            {
                lock (_lock)
                {
                    _running.Remove(t);
                }

                if (t.Exception is { } e && !_cancel.IsCancellationRequested)
                {
                    LogFailed(e.InnerException?.GetType().Name ?? e.GetType().Name);
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    /// <summary>
    /// Waits up to <paramref name="grace"/> for tracked work, then cancels what is left and gives it a moment to
    /// unwind. Work can start more work (a slow command's late answer), so it looks again until nothing is left.
    /// </summary>
    public async Task DrainAsync(TimeSpan grace, CancellationToken ct = default)
    {
        if (!await WaitAllAsync(grace, ct))
        {
            LogCancelledAtStop(Count);
        }

        await _cancel.CancelAsync();
        await WaitAllAsync(TimeSpan.FromSeconds(1), ct);
    }

    public void Dispose() => _cancel.Dispose();

    private async Task<bool> WaitAllAsync(TimeSpan limit, CancellationToken ct)
    {
        var deadline = Task.Delay(limit, time, ct);
        while (Snapshot() is { Count: > 0 } running)
        {
            var all = Task.WhenAll(running);
            if (await Task.WhenAny(all, deadline) != all)
            {
                return false;
            }
        }

        return true;
    }

    private List<Task> Snapshot()
    {
        lock (_lock)
        {
            return _running.Where(t => !t.IsCompleted).ToList();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a delivered event failed ({Kind})")]
    private partial void LogFailed(string kind);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping: {Count} delivered events were still being handled after the grace period and are cancelled")]
    private partial void LogCancelledAtStop(int count);
}
