using SupportBot.Core;

namespace SupportBot.Tests.Core;

/// <summary>Invariant 9 inside the core: one person at a time, and nobody waits for anyone else.</summary>
public sealed class ActorLocksTests
{
    [Fact]
    public async Task While_one_person_is_being_handled_a_thousand_others_all_get_in_at_once()
    {
        // On main the locks were 64 shared stripes: of 1,000 people about 16 waited behind a slow survivor.
        var locks = new ActorLocks();
        using var slow = await locks.EnterAsync(new Address(Platform.Discord, "slow"), CancellationToken.None);

        var others = Enumerable.Range(0, 1000).Select(i => locks.EnterAsync(new Address(Platform.Slack, "U" + i), CancellationToken.None)).ToList();

        Assert.All(others, o => Assert.True(o.IsCompletedSuccessfully, "someone waited for another person"));
        foreach (var other in others)
        {
            (await other).Dispose();
        }
    }

    [Fact]
    public async Task The_same_person_waits_for_their_previous_event_and_locks_are_dropped_when_done()
    {
        var locks = new ActorLocks();
        var ana = new Address(Platform.Console, "ana");
        var first = await locks.EnterAsync(ana, CancellationToken.None);

        var second = locks.EnterAsync(ana, CancellationToken.None);
        Assert.False(second.IsCompleted);

        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_nothing_behind()
    {
        var locks = new ActorLocks();
        var ana = new Address(Platform.Console, "ana");
        var held = await locks.EnterAsync(ana, CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = locks.EnterAsync(ana, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        held.Dispose();

        Assert.Equal(0, locks.Count);
    }
}
