using SupportBot.Core;

namespace SupportBot.Tests.Core;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void Failed_attempts_wait_longer_each_time_with_jitter_up_to_a_minute()
    {
        var backoff = new ReconnectBackoff(new SteppingClock());

        var delays = Enumerable.Range(0, 10).Select(_ => backoff.NextDelay()).ToList();

        // Step n is 2^(n-1) s, capped at 60 s; each wait is 50–100 % of its step.
        double[] steps = [1, 2, 4, 8, 16, 32, 60, 60, 60, 60];
        for (var i = 0; i < steps.Length; i++)
        {
            Assert.InRange(delays[i].TotalSeconds, steps[i] * 0.5, steps[i]);
        }

        Assert.Equal(10, backoff.Failures);
    }

    [Fact]
    public void The_waits_are_jittered_so_bots_restarting_together_do_not_reconnect_together()
    {
        var first = Enumerable.Range(0, 20).Select(_ => new ReconnectBackoff(new SteppingClock()).NextDelay()).Distinct().Count();

        Assert.True(first > 1, "twenty fresh backoffs all chose the same first wait");
    }

    [Fact]
    public void A_session_closed_right_after_it_was_established_keeps_growing_the_wait()
    {
        var clock = new SteppingClock();
        var backoff = new ReconnectBackoff(clock);

        var waits = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            backoff.Established();
            clock.Advance(TimeSpan.FromMilliseconds(200)); // Discord closes with 4009 right after READY
            waits.Add(backoff.NextDelay());
        }

        Assert.Equal(6, backoff.Failures);
        Assert.True(waits[^1] >= TimeSpan.FromSeconds(16), $"the sixth wait was {waits[^1].TotalSeconds} s");
    }

    [Fact]
    public void Repeated_drops_of_sessions_that_worked_for_a_while_reconnect_at_once_instead_of_growing_to_a_minute()
    {
        var clock = new SteppingClock();
        var backoff = new ReconnectBackoff(clock);

        // Measured on main: with a fixed 30 s bar, sessions dropping every 20 s grew the wait to about 60 s.
        for (var i = 0; i < 20; i++)
        {
            backoff.Established();
            clock.Advance(TimeSpan.FromSeconds(20));
            Assert.Equal(TimeSpan.Zero, backoff.NextDelay());
        }

        Assert.Equal(0, backoff.Failures);
    }

    [Fact]
    public void After_long_failures_a_session_must_last_longer_to_count_as_stable_but_never_more_than_thirty_seconds()
    {
        var clock = new SteppingClock();
        var backoff = new ReconnectBackoff(clock);
        for (var i = 0; i < 8; i++)
        {
            backoff.NextDelay(); // Discord unreachable: the step is now 60 s
        }

        backoff.Established();
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.NotEqual(TimeSpan.Zero, backoff.NextDelay()); // 20 s is not yet proof after a minute of failures

        backoff.Established();
        clock.Advance(ReconnectBackoff.MaxStable);
        Assert.Equal(TimeSpan.Zero, backoff.NextDelay());
        Assert.InRange(backoff.NextDelay().TotalSeconds, 0.5, 1); // and the next failure starts from the first step
    }

    [Fact]
    public void A_failed_attempt_after_a_stable_session_does_not_count_that_session_again()
    {
        var clock = new SteppingClock();
        var backoff = new ReconnectBackoff(clock);
        backoff.Established();
        clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(TimeSpan.Zero, backoff.NextDelay());
        Assert.InRange(backoff.NextDelay().TotalSeconds, 0.5, 1);
        Assert.InRange(backoff.NextDelay().TotalSeconds, 1, 2);
    }
}

/// <summary>A clock whose timestamps move only when a test says so.</summary>
internal sealed class SteppingClock : TimeProvider
{
    private long _ticks = 1_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
