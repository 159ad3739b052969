using System.Collections.Concurrent;

namespace SupportBot.Core.Operations;

/// <summary>
/// Whether each configured adapter is connected to its platform right now. Adapters report when their session
/// becomes usable and when it drops; readiness (/readyz) is every expected adapter connected.
/// </summary>
public sealed class Connections(BotMetrics metrics)
{
    private readonly ConcurrentDictionary<Platform, State> _states = new();

    /// <summary>Called by the host for each adapter it starts, so one that never connects keeps readiness false.</summary>
    public void Expect(Platform platform) => _states.TryAdd(platform, new State(false, 0));

    public void Connected(Platform platform)
    {
        var now = _states.AddOrUpdate(platform, new State(true, 1), (_, was) => new State(true, was.Sessions + 1));

        // Every session after the first is a reconnect, whatever ended the one before.
        if (now.Sessions > 1)
        {
            metrics.Reconnected(platform);
        }
    }

    public void Disconnected(Platform platform) => _states.AddOrUpdate(platform, new State(false, 0), (_, was) => was with { Up = false });

    public bool AllConnected => !_states.IsEmpty && _states.Values.All(s => s.Up);

    /// <summary>Each expected adapter and whether it is connected, for /readyz.</summary>
    public IReadOnlyDictionary<Platform, bool> Snapshot() => _states.ToDictionary(p => p.Key, p => p.Value.Up);

    private sealed record State(bool Up, int Sessions);
}
