using SupportBot.Discord;
using SupportBot.Slack;
using SupportBot.Tests.Discord;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Slack;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.CrossPlatform;

/// <summary>
/// Both adapters in one bot over one queue: a survivor on one platform is served by a volunteer on the other.
/// Each side talks to its own loopback fake with real sockets.
/// </summary>
public sealed class CrossPlatformTests
{
    private const string SlackSurvivor = "USURV";
    private const string DiscordVolunteerId = "202";

    [Fact]
    public async Task A_survivor_on_slack_is_served_by_a_volunteer_on_discord()
    {
        await using var both = await BothPlatforms.StartAsync(DiscordVolunteerId);
        var (discord, slack, core) = (both.Discord, both.Slack, both.Core);
        var volunteer = DiscordRig.Member(DiscordVolunteerId, "vic", DiscordRig.VolunteerRoleId);

        await slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage(SlackSurvivor, "My coach Zebrafinch sends me messages at night", "EvX1"));
        var welcome = await SlackSocketModeTests.PostedToAsync(slack, "D" + SlackSurvivor, 1);
        var consent = SlackTestHost.ActionIds(welcome[0].Args).Single(a => a.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        await slack.SendEnvelopeAsync("interactive", SlackTestHost.ButtonPress(slack, SlackSurvivor, consent, "D" + SlackSurvivor, "r-consent"));

        // One queue: the notice reaches the volunteer channels of both platforms, without the words.
        var notice = (await discord.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", seconds: 10)).Json!;
        var slackNotice = await SlackSocketModeTests.PostedToAsync(slack, SlackTestHost.VolunteerChannel, 1);
        Assert.DoesNotContain("Zebrafinch", notice.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Zebrafinch", slackNotice[0].AllText, StringComparison.Ordinal);
        var claim = DiscordMissionTests.Buttons(notice).Single(id => id.StartsWith("claim:", StringComparison.Ordinal));

        // A Discord volunteer claims it and reads the Slack survivor's words in their Discord DM.
        await discord.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(DiscordRig.NextId(), claim, volunteer));
        await discord.WaitForCallAsync("POST", $"/channels/dm-{DiscordVolunteerId}/messages", c => c.Body.Contains("Zebrafinch", StringComparison.Ordinal), seconds: 10);
        await SlackSaidAsync(slack, "D" + SlackSurvivor, core.Content.Messages.VolunteerJoined[..30]);

        // Relay both ways across the platforms.
        await discord.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), DiscordVolunteerId, "vic", "I believe you, Pelican"));
        await SlackSaidAsync(slack, "D" + SlackSurvivor, "I believe you, Pelican");
        await slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage(SlackSurvivor, "Thank you Quokka", "EvX2"));
        await discord.WaitForCallAsync("POST", $"/channels/dm-{DiscordVolunteerId}/messages", c => c.Body.Contains("Thank you Quokka", StringComparison.Ordinal), seconds: 10);

        Assert.DoesNotContain(slack.Calls, c => c.Args["channel"]?.GetValue<string>() == SlackTestHost.VolunteerChannel && c.AllText.Contains("Quokka", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_survivor_on_discord_is_served_by_a_volunteer_on_slack()
    {
        await using var both = await BothPlatforms.StartAsync(DiscordVolunteerId);
        var (discord, slack) = (both.Discord, both.Slack);
        var survivor = DiscordRig.User("111", "sam");

        await discord.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "sam", "The retreat leader Marmoset said touch was healing"));
        var welcome = (await discord.WaitForCallAsync("POST", "/channels/dm-111/messages", seconds: 10)).Json!;
        var consent = DiscordMissionTests.Buttons(welcome).Single(id => id.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        await discord.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(DiscordRig.NextId(), consent, null, survivor));

        var notice = await SlackSocketModeTests.PostedToAsync(slack, SlackTestHost.VolunteerChannel, 1);
        Assert.DoesNotContain("Marmoset", notice[0].AllText, StringComparison.Ordinal);
        var claim = SlackTestHost.ActionIds(notice[0].Args).Single(a => a.StartsWith("claim:", StringComparison.Ordinal));

        await slack.SendEnvelopeAsync("interactive", SlackTestHost.ButtonPress(slack, SlackTestHost.Volunteer, claim, SlackTestHost.VolunteerChannel, "r-claim"));
        var transcript = await SlackSocketModeTests.PostedToAsync(slack, "D" + SlackTestHost.Volunteer, 1);
        Assert.Contains("Marmoset", transcript[0].AllText, StringComparison.Ordinal);

        await slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage(SlackTestHost.Volunteer, "You are not alone, Heron", "EvY1"));
        await discord.WaitForCallAsync("POST", "/channels/dm-111/messages", c => c.Body.Contains("You are not alone, Heron", StringComparison.Ordinal), seconds: 10);
        await discord.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "sam", "that helps, Ibis"));
        await SlackSaidAsync(slack, "D" + SlackTestHost.Volunteer, "that helps, Ibis");
    }

    private static Task SlackSaidAsync(FakeSlack slack, string channel, string text) => Eventually.TrueAsync(
        () => slack.CallsTo("chat.postMessage").Any(c => c.Args["channel"]?.GetValue<string>() == channel && c.AllText.Contains(text, StringComparison.Ordinal)),
        TimeSpan.FromSeconds(10),
        $"\"{text}\" posted to {channel}");
}

/// <summary>The real core with the Discord and Slack adapters, each against its own fake.</summary>
internal sealed class BothPlatforms : IAsyncDisposable
{
    private BothPlatforms(FakeDiscord discord, FakeSlack slack, CoreHarness core)
    {
        Discord = discord;
        Slack = slack;
        Core = core;
    }

    public FakeDiscord Discord { get; }

    public FakeSlack Slack { get; }

    public CoreHarness Core { get; }

    public static async Task<BothPlatforms> StartAsync(string discordVolunteerId)
    {
        var discord = await FakeDiscord.StartAsync();
        discord.MemberRoles[discordVolunteerId] = [DiscordRig.VolunteerRoleId];
        var slack = await FakeSlack.StartAsync();
        var core = new CoreHarness(
            services =>
            {
                services.AddDiscordAdapter();
                services.AddSlackAdapter();
            },
            new Dictionary<string, string?>
            {
                ["Discord:Token"] = DiscordRig.Token,
                ["Discord:ApplicationId"] = DiscordRig.ApplicationId,
                ["Discord:ApiBaseUrl"] = discord.ApiBaseUrl,
                ["Discord:GuildId"] = DiscordRig.GuildId,
                ["Discord:VolunteerRoleId"] = DiscordRig.VolunteerRoleId,
                ["Discord:VolunteerChannelId"] = DiscordRig.VolunteerChannelId,
                ["Slack:BotToken"] = FakeSlack.BotToken,
                ["Slack:AppToken"] = FakeSlack.AppToken,
                ["Slack:ApiBaseUrl"] = slack.ApiBaseUrl,
                ["Slack:VolunteerUserIds:0"] = SlackTestHost.Volunteer,
                ["Slack:VolunteerChannelId"] = SlackTestHost.VolunteerChannel,
            });
        await core.Get<DiscordConnection>().StartAsync(CancellationToken.None);
        await core.Get<SlackConnection>().StartAsync(CancellationToken.None);
        await discord.WaitForSessionAsync();
        await core.Get<SlackConnection>().Ready.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return new BothPlatforms(discord, slack, core);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await Core.Get<SlackConnection>().StopAsync(timeout.Token);
        await Core.Get<DiscordConnection>().StopAsync(timeout.Token);
        Core.Dispose();
        await Slack.DisposeAsync();
        await Discord.DisposeAsync();
    }
}
