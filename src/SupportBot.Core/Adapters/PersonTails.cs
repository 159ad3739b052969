namespace SupportBot.Core;

/// <summary>
/// The last task queued for each person, forgotten once it ends: what lets one person's work or stores wait for their
/// previous one while different people's run in parallel (<see cref="PersonLanes"/>, <see cref="ArrivalOrder"/>).
/// </summary>
internal sealed class PersonTails
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Address, Task> _tails = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _tails.Count;
            }
        }
    }

    public bool Contains(Address person)
    {
        lock (_lock)
        {
            return _tails.ContainsKey(person);
        }
    }

    /// <summary>
    /// Makes the task <paramref name="next"/> builds from the person's current tail (null when nothing of theirs is
    /// running) their new tail, atomically, and returns it.
    /// </summary>
    public T Append<T>(Address person, Func<Task?, T> next)
        where T : Task
    {
        lock (_lock)
        {
            var tail = next(_tails.GetValueOrDefault(person));
            _tails[person] = tail;
            _ = tail.ContinueWith(
                done =>
                {
                    lock (_lock)
                    {
                        if (_tails.TryGetValue(person, out var latest) && latest == done)
                        {
                            _tails.Remove(person);
                        }
                    }
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return tail;
        }
    }
}
