using System.Collections.Concurrent;
using System.Diagnostics;

namespace SupportBot.Core;

/// <summary>
/// Event ids of commands that only answer, remembered in memory for as long as a platform redelivers (minutes), so
/// /help and the like are still handled once without a database write. Bounded: past <see cref="Max"/> the expired
/// ids go, and if that is not enough all go; the worst a forgotten id costs is one answer repeated.
/// </summary>
internal sealed class RecentEvents
{
    /// <summary>Longer than any platform redelivers an event (Slack retries within minutes, Discord within seconds).</summary>
    internal static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);

    internal int Max { get; init; } = 100_000;

    internal int Count => _seen.Count;

    /// <summary>True the first time an id is seen within <see cref="Window"/>.</summary>
    public bool TryAdd(string eventId)
    {
        var now = Stopwatch.GetTimestamp();
        if (_seen.TryGetValue(eventId, out var at) && Stopwatch.GetElapsedTime(at, now) < Window)
        {
            return false;
        }

        if (_seen.Count >= Max)
        {
            Trim(now);
        }

        // No race between two deliveries of one id: the core handles each person's events one at a time.
        _seen[eventId] = now;
        return true;
    }

    /// <summary>Forgets an id whose handling failed, so that the platform's retry is handled.</summary>
    public void Remove(string eventId) => _seen.TryRemove(eventId, out _);

    private void Trim(long now)
    {
        foreach (var (id, at) in _seen)
        {
            if (Stopwatch.GetElapsedTime(at, now) >= Window)
            {
                _seen.TryRemove(id, out _);
            }
        }

        if (_seen.Count >= Max)
        {
            _seen.Clear();
        }
    }
}
