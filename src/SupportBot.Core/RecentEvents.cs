using System.Diagnostics;

namespace SupportBot.Core;

/// <summary>
/// Event ids of commands that only answer, remembered in memory for as long as a platform redelivers (minutes), so
/// /help and the like are still handled once without a database write. Bounded: past <see cref="Max"/> the expired
/// ids go, and if that is not enough all go; the worst a forgotten id costs is one answer repeated.
/// A plain dictionary under one short lock: a ConcurrentDictionary's Count takes every one of its locks, and in a
/// burst of 20,000 /help that made each event wait for all the others (a fifth of the bot's thread time).
/// </summary>
internal sealed class RecentEvents
{
    /// <summary>Longer than any platform redelivers an event (Slack retries within minutes, Discord within seconds).</summary>
    internal static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    internal int Max { get; init; } = 100_000;

    internal int Count
    {
        get
        {
            lock (_lock)
            {
                return _seen.Count;
            }
        }
    }

    /// <summary>True the first time an id is seen within <see cref="Window"/>.</summary>
    public bool TryAdd(string eventId)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (_seen.TryGetValue(eventId, out var at) && Stopwatch.GetElapsedTime(at, now) < Window)
            {
                return false;
            }

            if (_seen.Count >= Max)
            {
                Trim(now);
            }

            _seen[eventId] = now;
            return true;
        }
    }

    /// <summary>Forgets an id whose handling failed, so that the platform's retry is handled.</summary>
    public void Remove(string eventId)
    {
        lock (_lock)
        {
            _seen.Remove(eventId);
        }
    }

    // Called under the lock; a Dictionary allows Remove while it is enumerated.
    private void Trim(long now)
    {
        foreach (var (id, at) in _seen)
        {
            if (Stopwatch.GetElapsedTime(at, now) >= Window)
            {
                _seen.Remove(id);
            }
        }

        if (_seen.Count >= Max)
        {
            _seen.Clear();
        }
    }
}
