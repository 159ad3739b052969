using System.Security.Cryptography;
using System.Text.RegularExpressions;
using SupportBot.Core.Storage;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Discord;

/// <summary>
/// Invariant 5 for the replies of a consent press, on the real process over the fake Discord: the press's commit holds
/// the queueing, its handled mark, the volunteers' notice and the survivor's place in the queue
/// (<see cref="OutboxStore.WriteAsync"/>). Killed right after that commit (the test fault
/// <see cref="StorageOptions.TestFaultKillAfterRepliesKept"/>, SIGKILL), before anything was delivered, the restarted bot
/// posts the notice to the volunteer channel and sends the survivor their place as a direct message, each once: the
/// press Discord replays on the resume is known as handled and changes nothing. The same for a survivor's message while
/// they wait: its acknowledgement ("Added.") commits with their words, and reaches them once after a kill. And for a
/// volunteer's claim: the survivor's "a volunteer joined", the channel's notice and the volunteer's own answer. And for a
/// survivor's /end while they wait: the channel's "no longer waiting" and the survivor's own answer.
/// </summary>
public sealed partial class DiscordOutboxAfterKillTests : IDisposable
{
    private const string SurvivorId = "720000000000000011";
    private const string SentinelId = "720000000000000012";
    private const string Place = "You are number 1 in line";
    private const string Added = "Added. The volunteer will see it when they join.";
    private const string VolunteerId = "720000000000000013";
    private const string JoinedText = "A volunteer has joined and read what you wrote.";
    private const string ClaimedText = "#1 was claimed by vic.";
    private const string WithdrawnText = "#1 is no longer waiting.";
    private const string EndedText = "Your conversation is ended.";
    private readonly TempFolder _folder = new("discord-outbox");
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_consent_press_killed_right_after_its_commit_has_its_notice_and_the_survivors_place_delivered_once_after_the_restart()
    {
        await using var fake = await FakeDiscord.StartAsync();
        fake.HeartbeatIntervalMs = 2000;
        var press = DiscordRig.NextId();
        await using (var first = StartBot(fake, "--Storage:TestFaultKillAfterRepliesKept=2"))
        {
            await FakeDiscord.WaitAsync(() => fake.IsLive(0) ? "" : null, "a live session", seconds: 90);
            await PressConsentAsync(fake, SurvivorId, press);
            Assert.Equal(137, await first.WaitForExitAsync());
            Assert.Contains("TEST FAULT", first.Errors, StringComparison.Ordinal);
        }

        Assert.Empty(NoticesFor(fake, 1));
        Assert.Empty(fake.CallsTo("POST", $"/interactions/{press}/"));

        await using var second = StartBot(fake);
        await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", c => c.Body.Contains("claim:1", StringComparison.Ordinal), seconds: 90);
        await fake.WaitForCallAsync("POST", $"/channels/dm-{SurvivorId}/messages", c => c.Body.Contains(Place, StringComparison.Ordinal), seconds: 90);

        // The sentinel: a second survivor queued on the restarted bot, answered in place, after anything still to send.
        var sentinelPress = DiscordRig.NextId();
        await PressConsentAsync(fake, SentinelId, sentinelPress);
        await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", c => c.Body.Contains("claim:2", StringComparison.Ordinal), seconds: 90);
        await FakeDiscord.WaitAsync(
            () => fake.Calls.FirstOrDefault(c => c.Path.Contains($"/interactions/{sentinelPress}/", StringComparison.Ordinal)
                || c.Path.Contains($"interaction-token-{sentinelPress}", StringComparison.Ordinal)),
            "the sentinel press's answer", seconds: 90);
        Assert.Equal(0, await second.TerminateAsync());

        Assert.Single(NoticesFor(fake, 1));
        Assert.Single(fake.CallsTo("POST", $"/channels/dm-{SurvivorId}/messages"), c => c.Body.Contains(Place, StringComparison.Ordinal));
        Assert.Single(NoticesFor(fake, 2));
        Assert.Equal(1, fake.Resumed); // Discord replayed the press the killed process never claimed; it was not handled again
    }

    [Fact]
    public async Task A_survivors_message_killed_right_after_its_commit_is_acknowledged_once_after_the_restart()
    {
        await using var fake = await FakeDiscord.StartAsync();
        fake.HeartbeatIntervalMs = 2000;
        var press = DiscordRig.NextId();
        // Writes with replies: the first message (its welcome), the consent press (the notice, the place), then this message.
        await using (var first = StartBot(fake, "--Storage:TestFaultKillAfterRepliesKept=3"))
        {
            await FakeDiscord.WaitAsync(() => fake.IsLive(0) ? "" : null, "a live session", seconds: 90);
            await PressConsentAsync(fake, SurvivorId, press);
            await FakeDiscord.WaitAsync(() => fake.Calls.FirstOrDefault(c => c.Path.Contains(press, StringComparison.Ordinal) && c.Body.Contains(Place, StringComparison.Ordinal)),
                "the survivor's place, answered in place", seconds: 90);
            await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(fake.NewMessageId(), SurvivorId, "survivor", "and he told me not to tell anyone"));
            Assert.Equal(137, await first.WaitForExitAsync());
        }

        Assert.Empty(Acknowledgements(fake));

        await using var second = StartBot(fake);
        await fake.WaitForCallAsync("POST", $"/channels/dm-{SurvivorId}/messages", c => c.Body.Contains(Added, StringComparison.Ordinal), seconds: 90);

        // The sentinel: a second survivor queued on the restarted bot, after anything still to send.
        await PressConsentAsync(fake, SentinelId, DiscordRig.NextId());
        await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", c => c.Body.Contains("claim:2", StringComparison.Ordinal), seconds: 90);
        Assert.Equal(0, await second.TerminateAsync());

        // Once, and as one call: nothing was sent before the kill, so not even a repeat Discord would have dropped.
        Assert.Single(Acknowledgements(fake));
        Assert.Equal(1, fake.Resumed); // Discord replayed the message the killed process never claimed; it was not handled again
    }

    [Theory]
    [InlineData(nameof(StorageOptions.TestFaultKillAfterRepliesKept), 3)] // the welcome, the consent press, the claim
    [InlineData(nameof(StorageOptions.TestFaultKillAfterHandled), 2)] // the consent press, the claim
    public async Task A_claim_killed_right_after_its_commit_tells_the_survivor_the_channel_and_the_volunteer_once_after_the_restart(string fault, int nth)
    {
        await using var fake = await FakeDiscord.StartAsync();
        fake.HeartbeatIntervalMs = 2000;
        var volunteer = DiscordRig.Member(VolunteerId, "vic");
        var claim = DiscordRig.NextId();
        await using (var first = StartBot(fake, $"--Storage:{fault}={nth}"))
        {
            await FakeDiscord.WaitAsync(() => fake.IsLive(0) ? "" : null, "a live session", seconds: 90);
            await PressConsentAsync(fake, SurvivorId, DiscordRig.NextId());
            await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", c => c.Body.Contains("claim:1", StringComparison.Ordinal), seconds: 90);
            await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(claim, volunteer, "claim", ("number", "1")));
            Assert.Equal(137, await first.WaitForExitAsync());
        }

        Assert.Empty(Joined(fake));
        Assert.Empty(ClaimedNotices(fake));
        Assert.DoesNotContain(fake.Calls, c => c.Path.Contains(claim, StringComparison.Ordinal));

        await using var second = StartBot(fake);
        await fake.WaitForCallAsync("POST", $"/channels/dm-{SurvivorId}/messages", c => c.Body.Contains(JoinedText, StringComparison.Ordinal), seconds: 90);
        await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", c => c.Body.Contains(ClaimedText, StringComparison.Ordinal), seconds: 90);
        // The volunteer's own answer, which would have been the interaction's, comes as a direct message.
        await fake.WaitForCallAsync("POST", $"/channels/dm-{VolunteerId}/messages", c => c.Body.Contains("You have #1", StringComparison.Ordinal), seconds: 90);

        // The sentinel: a second survivor queued on the restarted bot, after anything still to send.
        await PressConsentAsync(fake, SentinelId, DiscordRig.NextId());
        await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", c => c.Body.Contains("claim:2", StringComparison.Ordinal), seconds: 90);
        Assert.Equal(0, await second.TerminateAsync());

        Assert.Single(Joined(fake));
        Assert.Single(ClaimedNotices(fake));
        Assert.Single(fake.CallsTo("POST", $"/channels/dm-{VolunteerId}/messages"), c => c.Body.Contains("You have #1", StringComparison.Ordinal));
        Assert.Equal(1, fake.Resumed); // Discord replayed the claim the killed process never claimed; it was not handled again
    }

    [Fact]
    public async Task A_survivors_end_killed_right_after_its_commit_tells_the_channel_and_the_survivor_once_after_the_restart()
    {
        await using var fake = await FakeDiscord.StartAsync();
        fake.HeartbeatIntervalMs = 2000;
        var end = DiscordRig.NextId();
        // Writes with replies: the first message (its welcome), the consent press (the notice, the place), then the /end.
        await using (var first = StartBot(fake, "--Storage:TestFaultKillAfterRepliesKept=3"))
        {
            await FakeDiscord.WaitAsync(() => fake.IsLive(0) ? "" : null, "a live session", seconds: 90);
            await PressConsentAsync(fake, SurvivorId, DiscordRig.NextId());
            await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", c => c.Body.Contains("claim:1", StringComparison.Ordinal), seconds: 90);
            await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(end, DiscordRig.Member(SurvivorId, "survivor"), "end"));
            Assert.Equal(137, await first.WaitForExitAsync());
        }

        Assert.Empty(Withdrawn(fake));
        Assert.DoesNotContain(fake.Calls, c => c.Path.Contains(end, StringComparison.Ordinal));

        await using var second = StartBot(fake);
        await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", c => c.Body.Contains(WithdrawnText, StringComparison.Ordinal), seconds: 90);
        // The survivor's own answer, which would have been the interaction's, comes as a direct message.
        await fake.WaitForCallAsync("POST", $"/channels/dm-{SurvivorId}/messages", c => c.Body.Contains(EndedText, StringComparison.Ordinal), seconds: 90);

        // The sentinel: a second survivor queued on the restarted bot, after anything still to send.
        await PressConsentAsync(fake, SentinelId, DiscordRig.NextId());
        await fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", c => c.Body.Contains("claim:2", StringComparison.Ordinal), seconds: 90);
        Assert.Equal(0, await second.TerminateAsync());

        Assert.Single(Withdrawn(fake));
        Assert.Single(fake.CallsTo("POST", $"/channels/dm-{SurvivorId}/messages"), c => c.Body.Contains(EndedText, StringComparison.Ordinal));
        // Not handled again: a second /end would have found nothing open to end.
        Assert.DoesNotContain(fake.Calls, c => c.Body.Contains("have an open conversation right now", StringComparison.Ordinal));
        Assert.Equal(1, fake.Resumed); // Discord replayed the /end the killed process never claimed; it was not handled again
    }

    private static List<RestCall> Withdrawn(FakeDiscord fake) =>
        fake.CallsTo("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages").Where(c => c.Body.Contains(WithdrawnText, StringComparison.Ordinal)).ToList();

    private static List<RestCall> Joined(FakeDiscord fake) =>
        fake.CallsTo("POST", $"/channels/dm-{SurvivorId}/messages").Where(c => c.Body.Contains(JoinedText, StringComparison.Ordinal)).ToList();

    private static List<RestCall> ClaimedNotices(FakeDiscord fake) =>
        fake.CallsTo("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages").Where(c => c.Body.Contains(ClaimedText, StringComparison.Ordinal)).ToList();

    private static List<RestCall> Acknowledgements(FakeDiscord fake) =>
        fake.CallsTo("POST", $"/channels/dm-{SurvivorId}/messages").Where(c => c.Body.Contains(Added, StringComparison.Ordinal)).ToList();

    private static async Task PressConsentAsync(FakeDiscord fake, string survivor, string press)
    {
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(fake.NewMessageId(), survivor, "survivor", "my coach crossed a line"));
        var welcome = await fake.WaitForCallAsync("POST", $"/channels/dm-{survivor}/messages", c => ConsentId().IsMatch(c.Body), seconds: 90);
        await fake.DispatchAsync("INTERACTION_CREATE",
            DiscordRig.Component(press, ConsentId().Match(welcome.Body).Value, null, DiscordRig.User(survivor, "survivor")));
    }

    private static List<RestCall> NoticesFor(FakeDiscord fake, int id) =>
        fake.CallsTo("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages")
            .Where(c => c.Body.Contains($"claim:{id}\"", StringComparison.Ordinal))
            .ToList();

    private ConsoleProcess StartBot(FakeDiscord fake, params string[] extra) => ConsoleProcess.Start(_folder.Path,
    [
        $"--Discord:Token={FakeDiscord.DefaultToken}", $"--Discord:ApplicationId={DiscordRig.ApplicationId}", $"--Discord:ApiBaseUrl={fake.ApiBaseUrl}",
        $"--Discord:VolunteerChannelId={DiscordRig.VolunteerChannelId}", $"--Discord:VolunteerUserIds:0={VolunteerId}", $"--Storage:EncryptionKey={Convert.ToBase64String(_key)}", .. extra,
    ]);

    [GeneratedRegex("consent:pseudonym:[0-9]+")]
    private static partial Regex ConsentId();
}
