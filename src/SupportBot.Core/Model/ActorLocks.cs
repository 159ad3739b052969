namespace SupportBot.Core;

/// <summary>
/// Lets one person's events through one at a time. Platforms deliver concurrently (Slack hands over every
/// envelope at once), and two quick messages from a survivor must not start two conversations or arrive
/// swapped. One lock per person who has an event in hand, dropped when the last one leaves, so memory stays
/// flat and nobody ever waits for someone else.
/// </summary>
internal sealed class ActorLocks
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Address, Entry> _entries = [];

    public async Task<Releaser> EnterAsync(Address actor, CancellationToken ct)
    {
        Entry entry;
        lock (_lock)
        {
            if (!_entries.TryGetValue(actor, out entry!))
            {
                entry = new Entry();
                _entries[actor] = entry;
            }

            entry.Users++;
        }

        try
        {
            await entry.Gate.WaitAsync(ct);
        }
        catch
        {
            Leave(actor, entry);
            throw;
        }

        return new Releaser(this, actor, entry);
    }

    /// <summary>People with an event in hand or waiting; for tests.</summary>
    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    private void Leave(Address actor, Entry entry)
    {
        lock (_lock)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(actor);
                entry.Gate.Dispose();
            }
        }
    }

    internal sealed class Entry
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Users { get; set; }
    }

    public readonly struct Releaser : IDisposable
    {
        private readonly ActorLocks _owner;
        private readonly Address _actor;
        private readonly Entry _entry;

        internal Releaser(ActorLocks owner, Address actor, Entry entry)
        {
            _owner = owner;
            _actor = actor;
            _entry = entry;
        }

        public void Dispose()
        {
            _entry.Gate.Release();
            _owner.Leave(_actor, _entry);
        }
    }
}
