using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SupportBot.Core;
using SupportBot.Slack;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Slack;

/// <summary>The DM channels the Slack sender remembers stay under their bound however many people it writes to.</summary>
public sealed class SlackCacheBoundTests
{
    private const int Bound = 100;
    private const int People = 250;

    [Fact]
    public async Task Dm_channels_stay_under_their_bound_and_every_person_still_gets_their_message()
    {
        await using var fake = await FakeSlack.StartAsync();
        var options = Options.Create(new SlackOptions { BotToken = FakeSlack.BotToken, ApiBaseUrl = fake.ApiBaseUrl });
        using var api = new SlackApi(options, TimeProvider.System, NullLogger<SlackApi>.Instance);
        var sender = new SlackSender(api, options, NullLogger<SlackSender>.Instance) { MaxDirectChannels = Bound };

        for (var i = 0; i < People; i++)
        {
            var user = new Address(Platform.Slack, $"UPERSON{i}");
            await sender.SendAsync(new Reply(new Audience.Direct(user), [new TextBlock("hello")]), CancellationToken.None);
            Assert.InRange(sender.RememberedDirectChannels, 1, Bound);
        }

        // A second message to the first person still reaches them, whether or not their channel was forgotten.
        await sender.SendAsync(new Reply(new Audience.Direct(new Address(Platform.Slack, "UPERSON0")), [new TextBlock("again")]), CancellationToken.None);
        var posted = fake.CallsTo("chat.postMessage").Select(c => c.Args["channel"]?.GetValue<string>()).ToList();
        Assert.Equal(People, posted.Distinct().Count());
        Assert.Equal(2, posted.Count(c => c == "DUPERSON0"));
    }
}
