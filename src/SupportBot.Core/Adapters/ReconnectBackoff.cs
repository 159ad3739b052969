namespace SupportBot.Core;

/// <summary>
/// How long an adapter waits before connecting again. One policy for every platform: exponential from
/// <see cref="First"/> to <see cref="Max"/>, with jitter (each wait is 50–100 % of its step, so a restarting
/// platform is not met by every bot at once), and no wait at all after a session that proved stable.
/// </summary>
/// <remarks>
/// A session is stable when it was established (Discord READY or RESUMED, Slack hello) and lasted ten times the
/// step before it, at least <see cref="MinStable"/> and at most <see cref="MaxStable"/>. A session closed right
/// after it was established (Discord 4009, a Slack that keeps disconnecting) keeps growing the wait, so an
/// identify budget is not spent in a tight loop; a link that drops now and then after working for a while is
/// reconnected at once instead of after a minute (a fixed 30 s bar let repeated drops grow the wait to 60 s).
/// </remarks>
public sealed class ReconnectBackoff(TimeProvider time)
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MinStable = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxStable = TimeSpan.FromSeconds(30);

    private long? _establishedAt;
    private TimeSpan _step;

    /// <summary>Failed attempts since the last stable session.</summary>
    public int Failures { get; private set; }

    /// <summary>Call when a session is established; the next <see cref="NextDelay"/> measures how long it lasted.</summary>
    public void Established() => _establishedAt = time.GetTimestamp();

    /// <summary>Whether the session since <see cref="Established"/> has lasted long enough to count as stable.</summary>
    public bool IsStable => _establishedAt is { } at && time.GetElapsedTime(at) >= StableAfter;

    private TimeSpan StableAfter => TimeSpan.FromTicks(Math.Clamp(_step.Ticks * 10, MinStable.Ticks, MaxStable.Ticks));

    /// <summary>The wait before the next attempt, after a session ended or an attempt failed.</summary>
    public TimeSpan NextDelay()
    {
        var stable = IsStable;
        _establishedAt = null;
        if (stable)
        {
            Failures = 0;
            _step = TimeSpan.Zero;
            return TimeSpan.Zero;
        }

        Failures++;
        _step = TimeSpan.FromTicks(Math.Min(Max.Ticks, First.Ticks * (long)Math.Pow(2, Math.Min(Failures - 1, 20))));
        return _step * (0.5 + (Random.Shared.NextDouble() / 2));
    }
}
