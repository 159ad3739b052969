using System.Collections.Concurrent;
using SupportBot.Core;

namespace SupportBot.Tests.Core;

/// <summary>
/// After a crash the inbox hands back a person's unhandled words in the order they were stored, so they must be stored
/// in the order they arrived: a second quick DM is stored only once the first is, another person's at once. The real
/// process is killed in the middle of such DMs in <c>DiscordCrashRecoveryTests</c>; these pin the rule itself.
/// </summary>
public sealed class ArrivalOrderTests
{
    private static readonly Address Ana = new(Platform.Slack, "UANA");
    private static readonly Address Bo = new(Platform.Slack, "UBO");

    [Fact]
    public async Task A_persons_second_store_starts_after_the_first_settles_and_another_persons_does_not_wait()
    {
        var order = new ArrivalOrder();
        var started = new ConcurrentQueue<string>();
        var firstHeld = new TaskCompletionSource();

        var first = order.Store(Ana, async () =>
        {
            started.Enqueue("ana 1");
            await firstHeld.Task;
            return 1;
        });
        var second = order.Store(Ana, () =>
        {
            started.Enqueue("ana 2");
            return Task.FromResult(2);
        });

        // Bo's store was handed in after Ana's second: once it has run, Ana's second would have too, had it not waited.
        await order.Store(Bo, () => Task.FromResult(0)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("ana 2", started);
        firstHeld.SetResult();

        var stored = await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([1, 2], stored);
        Assert.Equal(["ana 1", "ana 2"], started);
    }

    [Fact]
    public async Task A_failed_store_does_not_hold_back_the_next_and_stores_held_behind_an_event_taken_in_follow_it()
    {
        var order = new ArrivalOrder();
        var takenIn = new TaskCompletionSource<bool>();
        order.Hold(Ana, takenIn.Task);
        var failed = order.Store<int>(Ana, () => throw new InvalidOperationException("the database refused it"));
        var next = order.Store(Ana, () => Task.FromResult(takenIn.Task.IsCompleted));

        await order.Store(Bo, () => Task.FromResult(0)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(failed.IsCompleted, "a store ran before the event taken in ahead of it was");
        takenIn.SetResult(true);

        await Assert.ThrowsAsync<InvalidOperationException>(() => failed);
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
