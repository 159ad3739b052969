using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace SupportBot.Core.Conversations;

/// <summary>
/// Per-person rate limits, in memory: direct messages a minute, and urgent pages to the volunteer channel an hour. Each
/// person has a fixed window that starts with their first use after the last one ended.
/// </summary>
/// <remarks>
/// Not System.Threading.RateLimiting's partitioned limiter: it made a limiter with its own timer for every new person
/// and scanned every person's limiter ten times a second, which under a burst of first DMs was work and garbage in
/// proportion to everyone who wrote in the last minute (bench/HISTORY.md, perf4). Here a person is one small entry,
/// and ended windows are swept only when the map has doubled since the last sweep.
/// </remarks>
public sealed class PersonLimits(IOptions<SafeguardOptions> options, TimeProvider time)
{
    private readonly Windows _messages = new(options.Value.DirectMessagesPerMinute, TimeSpan.FromMinutes(1), time);
    private readonly Windows _urgent = new(options.Value.UrgentAlertsPerHour, TimeSpan.FromHours(1), time);

    // People already told to slow down in the current streak, so a flood is answered once, not once a message.
    private readonly ConcurrentDictionary<Address, byte> _told = new();

    /// <summary>
    /// Whether this person's direct message may go on. When it may not, <paramref name="tellThem"/> is true for the
    /// first refused message of a streak only.
    /// </summary>
    public bool TryMessage(Address person, out bool tellThem)
    {
        if (_messages.TryTake(person))
        {
            if (!_told.IsEmpty)
            {
                _told.TryRemove(person, out _);
            }

            tellThem = false;
            return true;
        }

        if (_told.Count > 10_000)
        {
            // Only a memory of whom we told; forgetting it costs at most one more "slow down".
            _told.Clear();
        }

        tellThem = _told.TryAdd(person, 0);
        return false;
    }

    /// <summary>Whether this person may cause one more urgent page to the volunteer channel now.</summary>
    public bool TryUrgentAlert(Address person) => _urgent.TryTake(person);

    /// <summary>At most <paramref name="permits"/> uses per person in each window (none taken: no limit).</summary>
    private sealed class Windows(int permits, TimeSpan length, TimeProvider time)
    {
        private const int FirstSweepAt = 4_096;

        private readonly ConcurrentDictionary<Address, Window> _people = new();
        private readonly Lock _sweeping = new();
        private int _sweepAt = FirstSweepAt;

        /// <summary>Entries in <see cref="_people"/>, counted here: the map's own Count takes every one of its locks.</summary>
        private int _count;

        public bool TryTake(Address person)
        {
            if (permits <= 0)
            {
                return true;
            }

            var now = time.GetUtcNow().UtcTicks;
            if (Volatile.Read(ref _count) >= Volatile.Read(ref _sweepAt))
            {
                Sweep(now);
            }

            while (true)
            {
                var window = Of(person);
                lock (window)
                {
                    if (window.Gone)
                    {
                        // Swept between the look-up and the lock: take the person's new entry.
                        continue;
                    }

                    if (window.Used == 0 || now - window.Start >= length.Ticks)
                    {
                        window.Start = now;
                        window.Used = 0;
                    }

                    if (window.Used >= permits)
                    {
                        return false;
                    }

                    window.Used++;
                    return true;
                }
            }
        }

        private Window Of(Address person)
        {
            if (_people.TryGetValue(person, out var window))
            {
                return window;
            }

            var fresh = new Window();
            window = _people.GetOrAdd(person, fresh);
            if (ReferenceEquals(window, fresh))
            {
                Interlocked.Increment(ref _count);
            }

            return window;
        }

        // An ended window holds nothing back: forgetting it is what its next use would do anyway. The next sweep waits
        // until the map has doubled, so a sweep's cost is spread over the uses that grew it.
        private void Sweep(long now)
        {
            lock (_sweeping)
            {
                if (Volatile.Read(ref _count) < _sweepAt)
                {
                    return;
                }

                foreach (var (person, window) in _people)
                {
                    lock (window)
                    {
                        if (window.Used == 0 || now - window.Start >= length.Ticks)
                        {
                            window.Gone = true;
                            if (_people.TryRemove(new KeyValuePair<Address, Window>(person, window)))
                            {
                                Interlocked.Decrement(ref _count);
                            }
                        }
                    }
                }

                Volatile.Write(ref _sweepAt, Math.Max(FirstSweepAt, Volatile.Read(ref _count) * 2));
            }
        }
    }

    private sealed class Window
    {
        public long Start;
        public int Used;
        public bool Gone;
    }
}
