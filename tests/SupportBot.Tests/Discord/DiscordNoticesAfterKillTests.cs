using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SupportBot.Core.Storage;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Storage;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Discord;

/// <summary>
/// <see cref="OutboxNoticesAfterKillTests"/> over the fake Discord: a transfer's offer, acceptance and refusal, a
/// survivor's /forget and a block (of a held or a waiting conversation), each killed right after its commit (<see cref="StorageOptions.TestFaultKillAfterRepliesKept"/>)
/// or once its handler returned (<see cref="StorageOptions.TestFaultKillAfterHandled"/>), on the real process, a real
/// gateway and REST on 127.0.0.1, and SQLite or PostgreSQL. After the restart each reply is posted once (the actor's own
/// answer, which would have been the interaction's, as a direct message), read after a sentinel (a second survivor
/// queued on the restarted bot), and the event Discord replays on the resume is not handled again.
/// </summary>
public abstract partial class DiscordNoticesAfterKillTests(Store store) : IAsyncLifetime, IDisposable
{
    private const string SurvivorId = "720000000000000021";
    private const string SentinelId = "720000000000000022";
    private const string VicId = "720000000000000023";
    private const string SamId = "720000000000000024";
    private const string Blocked = "#1 is closed: the person behind it is blocked for now.";
    private readonly KillRestartRig _rig = new(store);
    private FakeDiscord _fake = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDiscord.StartAsync();
        _fake.HeartbeatIntervalMs = 2000;
        _rig.Adapter =
        [
            $"--Discord:Token={FakeDiscord.DefaultToken}", $"--Discord:ApplicationId={DiscordRig.ApplicationId}", $"--Discord:ApiBaseUrl={_fake.ApiBaseUrl}",
            $"--Discord:VolunteerChannelId={DiscordRig.VolunteerChannelId}", $"--Discord:VolunteerUserIds:0={VicId}", $"--Discord:VolunteerUserIds:1={SamId}",
        ];
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    public void Dispose() => _rig.Dispose();

    public static TheoryData<string, string> Cases() => KillRestartRig.AtEveryKillPoint("offer", "accept", "decline", "forget", "block", "block-waiting");

    [StoreTheory]
    [MemberData(nameof(Cases))]
    public async Task A_transfer_forget_or_block_killed_right_after_its_commit_is_told_to_everyone_once_after_the_restart(string flow, string fault)
    {
        // What each person is told once after the restart (their DM channel, a text in the payload), and what a second
        // handling of the event would have said. JSON escapes apostrophes, so none is matched.
        var (told, again) = flow switch
        {
            "offer" => (new[] { (Dm(SamId), "vic asks you to take over conversation #1"), (Dm(VicId), "asked them to take over #1") }, "hold that conversation"),
            "accept" => (new[] { (Dm(SurvivorId), "A new volunteer is joining"), (Dm(VicId), "sam took over #1"), (Dm(SamId), "is yours now") }, "no handover of #1"),
            "decline" => (new[] { (Dm(VicId), "sam declined #1"), (Dm(SamId), "You declined #1") }, "no handover of #1"),
            "forget" => (new[] { (Dm(VicId), "The person in #1 has ended the conversation.") }, "nothing stored about you"),
            "block" => (new[] { (Dm(VicId), Blocked), (Dm(SamId), "The person behind #1 is blocked until") }, "already blocked"),
            _ => (new[] { (DiscordRig.VolunteerChannelId, Blocked), (Dm(SamId), "The person behind #1 is blocked until") }, "already blocked"),
        };
        await SetUpAsync(flow);

        var killedEvent = DiscordRig.NextId();
        await using (var killed = _rig.Start($"--Storage:{fault}=1"))
        {
            await _fake.WaitForSessionAsync(0, seconds: 90);
            await _fake.DispatchAsync("INTERACTION_CREATE", flow switch
            {
                "offer" => DiscordRig.Command(killedEvent, Vic, "transfer", ("number", "1"), ("volunteer", SamId)),
                "accept" => DiscordRig.Component(killedEvent, "transfer:accept:1", null, DiscordRig.User(SamId, "sam")),
                "decline" => DiscordRig.Component(killedEvent, "transfer:decline:1", null, DiscordRig.User(SamId, "sam")),
                "forget" => DiscordRig.Command(killedEvent, DiscordRig.Member(SurvivorId, "survivor"), "forget"),
                _ => DiscordRig.Command(killedEvent, Sam, "block", ("number", "1"), ("duration", "2d")), // "block" and "block-waiting"
            });
            await KillRestartRig.KilledAsync(killed);
        }

        foreach (var (channel, text) in told)
        {
            Assert.Empty(Posts(channel, text));
        }

        Assert.DoesNotContain(_fake.Calls, c => c.Path.Contains(killedEvent, StringComparison.Ordinal));

        await using (var restarted = _rig.Start())
        {
            foreach (var (channel, text) in told)
            {
                await _fake.WaitForCallAsync("POST", $"/channels/{channel}/messages", c => c.Body.Contains(text, StringComparison.Ordinal), seconds: 90);
            }

            // The sentinel: a second survivor queued on the restarted bot, after anything still to send.
            await QueueAsync(SentinelId);
            Assert.Equal(0, await restarted.TerminateAsync());
        }

        foreach (var (channel, text) in told)
        {
            Assert.Single(Posts(channel, text));
        }

        Assert.DoesNotContain(_fake.Calls, c => c.Body.Contains(again, StringComparison.Ordinal));
        if (flow == "forget")
        {
            // Nothing of theirs was kept to send: their own answer is not stored, and nothing reached them after the kill.
            Assert.Empty(Posts(Dm(SurvivorId), ""));
        }
    }

    private static JsonObject Vic => DiscordRig.Member(VicId, "vic");

    private static JsonObject Sam => DiscordRig.Member(SamId, "sam");

    /// <summary>
    /// In a process that then stops cleanly: the survivor's #1 queued, claimed by vic (but for a block of a waiting
    /// conversation), and offered to sam for an acceptance or a refusal.
    /// </summary>
    private async Task SetUpAsync(string flow)
    {
        await using var setUp = _rig.Start();
        await _fake.WaitForSessionAsync(0, seconds: 90);
        await QueueAsync(SurvivorId);
        if (flow != "block-waiting")
        {
            await _fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(DiscordRig.NextId(), Vic, "claim", ("number", "1")));
            await _fake.WaitForCallAsync("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", c => c.Body.Contains("#1 was claimed by vic", StringComparison.Ordinal), seconds: 90);
        }

        if (flow is "accept" or "decline")
        {
            await _fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(DiscordRig.NextId(), Vic, "transfer", ("number", "1"), ("volunteer", SamId)));
            await _fake.WaitForCallAsync("POST", $"/channels/dm-{SamId}/messages", c => c.Body.Contains("take over conversation #1", StringComparison.Ordinal), seconds: 90);
        }

        Assert.Equal(0, await setUp.TerminateAsync());
        _fake.Calls.Clear();
    }

    /// <summary>A survivor writes and presses "yes, under a made-up name"; waits for the channel's notice.</summary>
    private async Task QueueAsync(string survivor)
    {
        var notices = _fake.CallsTo("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages").Count(c => c.Body.Contains("claim:", StringComparison.Ordinal));
        await _fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(_fake.NewMessageId(), survivor, "survivor", KillRestartRig.Words));
        var welcome = await _fake.WaitForCallAsync("POST", $"/channels/dm-{survivor}/messages", c => ConsentId().IsMatch(c.Body), seconds: 90);
        await _fake.DispatchAsync("INTERACTION_CREATE",
            DiscordRig.Component(DiscordRig.NextId(), ConsentId().Match(welcome.Body).Value, null, DiscordRig.User(survivor, "survivor")));
        await _fake.WaitForCallAsync(
            "POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages", c => c.Body.Contains("claim:", StringComparison.Ordinal), count: notices + 1, seconds: 90);
    }

    private static string Dm(string user) => "dm-" + user;

    private List<RestCall> Posts(string channel, string text) =>
        _fake.CallsTo("POST", $"/channels/{channel}/messages").Where(c => c.Body.Contains(text, StringComparison.Ordinal)).ToList();

    [GeneratedRegex("consent:pseudonym:[0-9]+")]
    private static partial Regex ConsentId();
}

public sealed class DiscordNoticesAfterKillOnSqlite() : DiscordNoticesAfterKillTests(Store.Sqlite);

public sealed class DiscordNoticesAfterKillOnPostgres() : DiscordNoticesAfterKillTests(Store.Postgres), IOnPostgres;
