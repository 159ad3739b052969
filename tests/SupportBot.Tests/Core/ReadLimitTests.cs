using SupportBot.Core;

namespace SupportBot.Tests.Core;

/// <summary>A burst larger than the limit waits at the platform, unread, instead of in memory.</summary>
public sealed class ReadLimitTests
{
    [Fact]
    public async Task A_receive_loop_waits_while_the_limit_is_in_hand_and_reads_on_once_half_of_it_has_ended()
    {
        var limit = new ReadLimit();
        var held = Enumerable.Range(0, ReadLimit.Limit).Select(_ => new TaskCompletionSource()).ToArray();
        Assert.All(held.SkipLast(1), h =>
        {
            limit.Track(h.Task);
            Assert.True(limit.RoomAsync().IsCompleted, "no room below the limit");
        });
        limit.Track(held[^1].Task);

        var room = limit.RoomAsync();
        Assert.False(room.IsCompleted, "room with the whole limit in hand");

        // Work counts as ended as it ends (synchronously), so each state below is settled when it is looked at.
        foreach (var h in held.Take(ReadLimit.Limit / 2 - 1))
        {
            h.SetResult();
        }

        Assert.False(room.IsCompleted, "the loop was woken before half of the work had ended");
        held[ReadLimit.Limit / 2 - 1].SetException(new InvalidOperationException("work that fails ends too"));
        await room.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(limit.RoomAsync().IsCompleted, "no room once half had ended");
    }
}
