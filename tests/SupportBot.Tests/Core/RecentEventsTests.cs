using SupportBot.Core;

namespace SupportBot.Tests.Core;

public sealed class RecentEventsTests
{
    [Fact]
    public void Ids_stay_under_the_bound_and_a_fresh_repeat_is_still_caught()
    {
        var recent = new RecentEvents { Max = 100 };

        for (var i = 0; i < 250; i++)
        {
            Assert.True(recent.TryAdd($"event-{i}"));
            Assert.False(recent.TryAdd($"event-{i}"));
            Assert.InRange(recent.Count, 1, 100);
        }

        recent.Remove("event-249");
        Assert.True(recent.TryAdd("event-249"));
    }
}
