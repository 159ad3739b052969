using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using SupportBot.Core;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Core;

/// <summary>Invariant 9: one person's events are handled in order, different people's in parallel.</summary>
public sealed class PersonLanesTests : IDisposable
{
    private static readonly Address Ana = new(Platform.Discord, "111");
    private static readonly Address Bo = new(Platform.Discord, "222");

    private readonly InFlightWork _inFlight = new(TimeProvider.System, NullLogger.Instance);

    public void Dispose() => _inFlight.Dispose();

    [Fact]
    public async Task One_persons_work_runs_in_the_order_it_arrived_even_when_earlier_work_is_slower()
    {
        var lanes = new PersonLanes(_inFlight);
        var done = new ConcurrentQueue<int>();

        var all = Enumerable.Range(1, 50).Select(i => lanes.Enqueue(Ana, async ct =>
        {
            await Task.Delay(i % 3 == 0 ? 5 : 0, ct);
            done.Enqueue(i);
        })).ToList();
        await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(1, 50), done);
    }

    [Fact]
    public async Task Another_person_never_waits_behind_someone_whose_reply_is_held_up()
    {
        // A 429 with retry_after 20 s on Ana's DM channel: her lane waits, Bo's does not.
        var lanes = new PersonLanes(_inFlight);
        var anaHeld = new TaskCompletionSource();
        var anaStarted = new TaskCompletionSource();
        var ana = lanes.Enqueue(Ana, async _ =>
        {
            anaStarted.SetResult();
            await anaHeld.Task;
        });
        var anaNext = lanes.Enqueue(Ana, _ => Task.CompletedTask);
        await anaStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));

        var bo = lanes.Enqueue(Bo, _ => Task.CompletedTask);

        await bo.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(anaNext.IsCompleted, "Ana's second message ran before her first was done");
        anaHeld.SetResult();
        await Task.WhenAll(ana, anaNext).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_failure_does_not_stop_the_persons_later_work_and_finished_lanes_are_forgotten()
    {
        var lanes = new PersonLanes(_inFlight);
        var failed = lanes.Enqueue(Ana, _ => throw new InvalidOperationException("boom"));
        var ran = false;
        var next = lanes.Enqueue(Ana, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        });

        await Assert.ThrowsAsync<InvalidOperationException>(() => failed);
        await next.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(ran);
        await Eventually.TrueAsync(() => lanes.Active == 0, TimeSpan.FromSeconds(5), "the lane to be dropped");
    }

    [Fact]
    public async Task Work_never_runs_on_the_thread_that_hands_it_in()
    {
        // The gateway's receive loop hands work in; running it there would stop the loop reading the next frame.
        // Work that blocks until the caller lets it go: run inline, Enqueue could not return before it finished.
        var lanes = new PersonLanes(_inFlight);
        using var gate = new ManualResetEventSlim();

        var work = lanes.Enqueue(Ana, _ =>
        {
            gate.Wait(TimeSpan.FromSeconds(5), CancellationToken.None);
            return Task.CompletedTask;
        });

        Assert.False(work.IsCompleted, "Enqueue ran the work on the caller's thread");
        gate.Set();
        await work.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Stopping_waits_for_queued_work_within_the_grace_period_then_cancels_what_is_left()
    {
        var lanes = new PersonLanes(_inFlight);
        var finished = lanes.Enqueue(Ana, ct => Task.Delay(100, ct));
        var queued = lanes.Enqueue(Ana, ct => Task.Delay(50, ct));
        var stuck = lanes.Enqueue(Bo, ct => Task.Delay(Timeout.Infinite, ct));

        await _inFlight.DrainAsync(TimeSpan.FromMilliseconds(600));

        Assert.True(finished.IsCompletedSuccessfully);
        Assert.True(queued.IsCompletedSuccessfully);
        Assert.True(stuck.IsCanceled, "work still running after the grace period is cancelled");
        Assert.Equal(0, _inFlight.Count);
    }
}
