using System.Security.Cryptography;
using SupportBot.Core.Storage;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Storage;
using SupportBot.Tests.Support;
using Xunit.Abstractions;

namespace SupportBot.Tests.Slack;

/// <summary>
/// Invariant 5 for a volunteer's claim, release and close over Slack (Socket Mode), on the real process and a real SQLite
/// file: each stores its replies in its own commit (<see cref="OutboxStore.WriteAsync"/>), so a bot killed right after
/// it (<see cref="StorageOptions.TestFaultKillAfterRepliesKept"/>) or once the handler returned
/// (<see cref="StorageOptions.TestFaultKillAfterHandled"/>), before it posted anything, posts them after its restart,
/// once: the survivor's note, the volunteer channel's notice and the volunteer's own answer, which would have been the
/// slash command's and comes as a direct message. The command it was handling is not handled again. "Once" is read after
/// a sentinel: a second survivor queued after the restart, whose notice follows anything pending. On the code before
/// a claim, a release and a close stored their replies with their work, all six cases fail (a note or an answer never
/// comes).
/// </summary>
public sealed class SlackOutboxAfterKillTests(ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private const string VolunteerChannel = "CVOL";
    private const string Volunteer = "UVOL";
    private const string Survivor = "USURV1";
    private const string Sentinel = "USURV2";
    private readonly TempFolder _folder = new("slack-outbox-kill");
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private FakeSlack _slack = null!;

    public async Task InitializeAsync() => _slack = await FakeSlack.StartAsync();

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    public void Dispose()
    {
        Database.CloseAll();
        _folder.Dispose();
    }

    public static TheoryData<string, string> Cases() => KillRestartRig.AtEveryKillPoint("claim", "release", "close");

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_claim_release_or_close_killed_right_after_its_commit_is_told_to_everyone_once_after_the_restart(string command, string fault)
    {
        // What the survivor, the channel and the volunteer are told, as Slack receives it (JSON: no apostrophes matched).
        var (toSurvivor, toChannel, toVolunteer, again) = command switch
        {
            "claim" => ("A volunteer has joined", "was claimed by", "You have #1", "already hold #1"),
            "release" => ("Your volunteer had to step away", "claim:1", "#1 is back in the queue", "hold that conversation"),
            _ => ("The volunteer has closed this conversation", "#1 is closed.", "#1 is closed (supported)", "hold that conversation"),
        };

        await using (var setUp = await StartBotAsync())
        {
            await _slack.ConsentAsync(Survivor, "EvFirst1");
            await SlackSocketModeTests.PostedToAsync(_slack, VolunteerChannel, 1, TimeSpan.FromSeconds(30));
            if (command != "claim")
            {
                await SlashAsync("/claim", "1", "r-setup");
                await Eventually.TrueAsync(() => _slack.PostsTo(VolunteerChannel, "was claimed by").Count == 1, TimeSpan.FromSeconds(30), "the claim's notice");
            }

            Assert.Equal(0, await setUp.TerminateAsync());
        }

        var before = _slack.PostsTo(VolunteerChannel, toChannel).Count;
        await using (var killed = await StartBotAsync($"--Storage:{fault}=1"))
        {
            await SlashAsync("/" + command, command switch { "close" => "supported", _ => "1" }, "r-killed");
            Assert.Equal(137, await killed.WaitForExitAsync());
            Assert.Contains("TEST FAULT", killed.Errors, StringComparison.Ordinal);
        }

        Assert.Empty(_slack.PostsTo("D" + Survivor, toSurvivor));
        Assert.Equal(before, _slack.PostsTo(VolunteerChannel, toChannel).Count);
        Assert.DoesNotContain(_slack.Everything(), text => text.Contains(toVolunteer, StringComparison.Ordinal));

        await using var next = await StartBotAsync();
        await Eventually.TrueAsync(() => _slack.PostsTo("D" + Survivor, toSurvivor).Count > 0, TimeSpan.FromSeconds(60), "the survivor's note after the restart");
        await Eventually.TrueAsync(() => _slack.PostsTo("D" + Volunteer, toVolunteer).Count > 0, TimeSpan.FromSeconds(60), "the volunteer's answer as a DM");

        // The sentinel: a second survivor queued on the restarted bot, after anything still to post.
        await _slack.ConsentAsync(Sentinel, "EvFirst2");
        await Eventually.TrueAsync(() => _slack.PostsTo(VolunteerChannel, "claim:2").Count > 0, TimeSpan.FromSeconds(60), "the sentinel's notice");
        Assert.Equal(0, await next.TerminateAsync());

        output.WriteLine($"{command} after {fault}: channel notices {_slack.PostsTo(VolunteerChannel, toChannel).Count - before}");
        Assert.Single(_slack.PostsTo("D" + Survivor, toSurvivor));
        Assert.Equal(before + 1, _slack.PostsTo(VolunteerChannel, toChannel).Count);
        Assert.Single(_slack.PostsTo("D" + Volunteer, toVolunteer));
        // Not handled again: a second claim would say the volunteer holds it already, a second release or close that they hold nothing.
        Assert.DoesNotContain(_slack.Everything(), text => text.Contains(again, StringComparison.Ordinal));
    }

    private Task<ConsoleProcess> StartBotAsync(params string[] extra) => _slack.ConnectedAsync(
        () => ConsoleProcess.Start(_folder.Path,
        [
            $"--Slack:BotToken={FakeSlack.BotToken}", $"--Slack:AppToken={FakeSlack.AppToken}", $"--Slack:ApiBaseUrl={_slack.ApiBaseUrl}",
            $"--Slack:VolunteerChannelId={VolunteerChannel}", $"--Slack:VolunteerUserIds:0={Volunteer}",
            $"--Storage:EncryptionKey={Convert.ToBase64String(_key)}", .. extra,
        ]),
        output);

    private Task<string> SlashAsync(string command, string text, string responseId) =>
        _slack.SendEnvelopeAsync("slash_commands", SlackTestHost.SlashCommand(_slack, Volunteer, command, text, responseId));
}
