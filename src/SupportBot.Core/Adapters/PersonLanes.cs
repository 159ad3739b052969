namespace SupportBot.Core;

/// <summary>
/// One lane per person: each person's work runs in the order it was handed in, different people's in parallel.
/// A relay must not swap two lines of a conversation, but a survivor must never wait behind someone else's slow
/// reply (a 429 on one DM channel, a slow database call). Lanes hold no queue of their own, only the tail task,
/// so a later durable inbox can feed them the same way the gateway does. Every lane's work is tracked by
/// <see cref="InFlightWork"/>, so stopping drains it within the grace period.
/// </summary>
public sealed class PersonLanes(InFlightWork inFlight)
{
    private readonly PersonTails _tails = new();

    /// <summary>Lanes with work queued or running (a lane disappears when its last work ends).</summary>
    public int Active => _tails.Count;

    /// <summary>Whether nothing of the person's is queued or running: work queued now would start at once.</summary>
    public bool IsIdle(Address person) => !_tails.Contains(person);

    /// <summary>
    /// Queues <paramref name="work"/> behind the person's earlier work and returns when it has run. A failure of
    /// earlier work does not stop later work; it is logged by <see cref="InFlightWork"/>.
    /// </summary>
    public Task Enqueue(Address person, Func<CancellationToken, Task> work) =>
        _tails.Append(person, previous => inFlight.Track(RunAfterAsync(previous ?? Task.CompletedTask, work)));

    private async Task RunAfterAsync(Task previous, Func<CancellationToken, Task> work)
    {
        // Always onto the thread pool: never run a person's work inline on a receive loop or under the lock.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        await work(inFlight.Token);
    }
}
