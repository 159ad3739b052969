namespace SupportBot.Core;

/// <summary>
/// How many events of one kind a receive loop may have taken in and not yet finished. Past <see cref="Limit"/> the
/// loop stops reading (<see cref="RoomAsync"/>) until half of them have ended: a burst then waits in the platform's
/// connection, unread and unclaimed, instead of in memory, where every garbage collection would copy it again (a
/// quarter of the bot's CPU in a burst of 20,000 first DMs, bench/HISTORY.md).
/// </summary>
public sealed class ReadLimit
{
    /// <summary>
    /// Enough that the one writer's batches and the open HTTP requests stay full at the bot's top rate (a quarter of it
    /// read a sixth fewer DMs per second), few enough that the rest of a burst stays out of memory.
    /// </summary>
    public const int Limit = 1024;

    private readonly Lock _lock = new();
    private int _inHand;
    private TaskCompletionSource? _room;

    /// <summary>Counts <paramref name="work"/> in hand until it ends, however it ends.</summary>
    public void Track(Task work)
    {
        lock (_lock)
        {
            _inHand++;
        }

        _ = work.ContinueWith(
            static (_, state) => ((ReadLimit)state!).Ended(),
            this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Completes at once while fewer than <see cref="Limit"/> are in hand, else once half of them have ended (in one
    /// go, so the loop then reads a run of frames instead of waking for every one that ends).
    /// </summary>
    public Task RoomAsync()
    {
        lock (_lock)
        {
            if (_inHand < Limit)
            {
                return Task.CompletedTask;
            }

            _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _room.Task;
        }
    }

    private void Ended()
    {
        TaskCompletionSource? room = null;
        lock (_lock)
        {
            _inHand--;
            if (_inHand <= Limit / 2)
            {
                (room, _room) = (_room, null);
            }
        }

        room?.TrySetResult();
    }
}
