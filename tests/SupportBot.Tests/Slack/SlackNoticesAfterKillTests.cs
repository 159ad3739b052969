using SupportBot.Core.Storage;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;
using Xunit.Abstractions;

namespace SupportBot.Tests.Slack;

/// <summary>
/// <see cref="OutboxNoticesAfterKillTests"/> over the fake Slack (Socket Mode): a transfer's offer, acceptance and
/// refusal, a survivor's /forget and a block (of a held or a waiting conversation), each killed right after its commit
/// (<see cref="StorageOptions.TestFaultKillAfterRepliesKept"/>) or once its handler returned
/// (<see cref="StorageOptions.TestFaultKillAfterHandled"/>), on the real process, a real websocket and Web API on
/// 127.0.0.1, and SQLite or PostgreSQL. After the restart each reply is posted once (the actor's own answer, which would
/// have been the slash command's, as a direct message), read after a sentinel (a second survivor queued on the restarted
/// bot), and the command is not handled again.
/// </summary>
public abstract class SlackNoticesAfterKillTests(Store store, ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    private const string VolunteerChannel = "CVOL";
    private const string Vic = "UVIC";
    private const string Sam = "USAM";
    private const string Survivor = "USURV1";
    private const string Sentinel = "USURV2";
    private const string Blocked = "#1 is closed: the person behind it is blocked for now.";
    private readonly KillRestartRig _rig = new(store);
    private FakeSlack _slack = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlack.StartAsync();
        _rig.Adapter =
        [
            $"--Slack:BotToken={FakeSlack.BotToken}", $"--Slack:AppToken={FakeSlack.AppToken}", $"--Slack:ApiBaseUrl={_slack.ApiBaseUrl}",
            $"--Slack:VolunteerChannelId={VolunteerChannel}", $"--Slack:VolunteerUserIds:0={Vic}", $"--Slack:VolunteerUserIds:1={Sam}",
        ];
    }

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    public void Dispose()
    {
        Database.CloseAll();
        _rig.Dispose();
    }

    public static TheoryData<string, string> Cases() => KillRestartRig.AtEveryKillPoint("offer", "accept", "decline", "forget", "block", "block-waiting");

    [StoreTheory]
    [MemberData(nameof(Cases))]
    public async Task A_transfer_forget_or_block_killed_right_after_its_commit_is_told_to_everyone_once_after_the_restart(string flow, string fault)
    {
        // What each person is told once after the restart (their DM channel, a text in the payload), and what a second
        // handling of the command would have said. JSON may escape apostrophes, so none is matched.
        var (told, again) = flow switch
        {
            "offer" => (new[] { ("D" + Sam, "asks you to take over conversation #1"), ("D" + Vic, "asked them to take over #1") }, "hold that conversation"),
            "accept" => (new[] { ("D" + Survivor, "A new volunteer is joining"), ("D" + Vic, "took over #1"), ("D" + Sam, "is yours now") }, "no handover of #1"),
            "decline" => (new[] { ("D" + Vic, "declined #1. It is still yours."), ("D" + Sam, "You declined #1") }, "no handover of #1"),
            "forget" => (new[] { ("D" + Vic, "The person in #1 has ended the conversation.") }, "nothing stored about you"),
            "block" => (new[] { ("D" + Vic, Blocked), ("D" + Sam, "The person behind #1 is blocked until") }, "already blocked"),
            _ => (new[] { (VolunteerChannel, Blocked), ("D" + Sam, "The person behind #1 is blocked until") }, "already blocked"),
        };
        var (actor, command, text) = flow switch
        {
            "offer" => (Vic, "/transfer", $"1 <@{Sam}>"),
            "accept" => (Sam, "/transfer", "accept 1"),
            "decline" => (Sam, "/transfer", "decline 1"),
            "forget" => (Survivor, "/forget", ""),
            _ => (Sam, "/block", "1 2d"), // "block" and "block-waiting"
        };
        await SetUpAsync(flow);

        await using (var killed = await StartAsync($"--Storage:{fault}=1"))
        {
            await _slack.SendEnvelopeAsync("slash_commands", SlackTestHost.SlashCommand(_slack, actor, command, text, "r-killed"));
            await KillRestartRig.KilledAsync(killed);
        }

        var before = told.Select(t => _slack.PostsTo(t.Item1, t.Item2).Count).ToList();
        Assert.All(before, count => Assert.Equal(0, count));
        var toSurvivor = _slack.PostsTo("D" + Survivor, "").Count;

        await using (var restarted = await StartAsync())
        {
            foreach (var (channel, said) in told)
            {
                await Eventually.TrueAsync(() => _slack.PostsTo(channel, said).Count > 0, TimeSpan.FromSeconds(60), $"\"{said}\" after the restart");
            }

            // The sentinel: a second survivor queued on the restarted bot, after anything still to post.
            await _slack.ConsentAsync(Sentinel, "EvSentinel");
            await Eventually.TrueAsync(() => _slack.PostsTo(VolunteerChannel, "claim:2").Count > 0, TimeSpan.FromSeconds(60), "the sentinel's notice");
            Assert.Equal(0, await restarted.TerminateAsync());
        }

        foreach (var (channel, said) in told)
        {
            Assert.Single(_slack.PostsTo(channel, said));
        }

        Assert.DoesNotContain(_slack.Everything(), posted => posted.Contains(again, StringComparison.Ordinal));
        if (flow == "forget")
        {
            // Nothing of theirs was kept to send: their own answer is not stored, and nothing reached them after the kill.
            Assert.Equal(toSurvivor, _slack.PostsTo("D" + Survivor, "").Count);
        }
    }

    /// <summary>
    /// In a process that then stops cleanly: the survivor's #1 queued, claimed by vic (but for a block of a waiting
    /// conversation), and offered to sam for an acceptance or a refusal.
    /// </summary>
    private async Task SetUpAsync(string flow)
    {
        await using var setUp = await StartAsync();
        await _slack.ConsentAsync(Survivor, "EvFirst");
        await Eventually.TrueAsync(() => _slack.PostsTo(VolunteerChannel, "claim:1").Count > 0, TimeSpan.FromSeconds(60), "the notice of #1");
        if (flow != "block-waiting")
        {
            await _slack.SendEnvelopeAsync("slash_commands", SlackTestHost.SlashCommand(_slack, Vic, "/claim", "1", "r-claim"));
            await Eventually.TrueAsync(() => _slack.PostsTo(VolunteerChannel, "was claimed by").Count > 0, TimeSpan.FromSeconds(60), "the claim's notice");
        }

        if (flow is "accept" or "decline")
        {
            await _slack.SendEnvelopeAsync("slash_commands", SlackTestHost.SlashCommand(_slack, Vic, "/transfer", $"1 <@{Sam}>", "r-offer"));
            await Eventually.TrueAsync(() => _slack.PostsTo("D" + Sam, "take over conversation #1").Count > 0, TimeSpan.FromSeconds(60), "the offer to sam");
        }

        Assert.Equal(0, await setUp.TerminateAsync());
    }

    /// <summary>A process on the rig's database, once it is connected to the fake and its lease loop runs.</summary>
    private Task<ConsoleProcess> StartAsync(params string[] extra) => _slack.ConnectedAsync(() => _rig.Start(extra), output);
}

public sealed class SlackNoticesAfterKillOnSqlite(ITestOutputHelper output) : SlackNoticesAfterKillTests(Store.Sqlite, output);

public sealed class SlackNoticesAfterKillOnPostgres(ITestOutputHelper output) : SlackNoticesAfterKillTests(Store.Postgres, output), IOnPostgres;
