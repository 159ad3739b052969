namespace SupportBot.Core;

/// <summary>
/// Stores each person's events in the order they arrived, different people's in parallel. After a crash the inbox hands
/// back what was stored and not handled in the order it was stored, so two quick DMs of one person stored side by side
/// could come back swapped: here a person's store starts only once their previous one has settled (stored, refused or
/// failed). Stores run on the thread pool: SQLite blocks its thread, and a receive loop must go on reading.
/// </summary>
public sealed class ArrivalOrder
{
    private readonly PersonTails _stores = new();

    /// <summary>Runs <paramref name="store"/> once the person's previous store has settled, or at once if none is running.</summary>
    public Task<T> Store<T>(Address person, Func<Task<T>> store) =>
        _stores.Append(person, earlier => earlier is null ? Task.Run(store) : StoreAfterAsync(earlier, store));

    /// <summary>Makes the person's next store wait until <paramref name="settled"/> completes (an event being taken in another way).</summary>
    public void Hold(Address person, Task settled) => _stores.Append(person, _ => settled);

    private static async Task<T> StoreAfterAsync<T>(Task earlier, Func<Task<T>> store)
    {
        await earlier.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        return await store();
    }
}
