using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using SupportBot.Discord;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Discord;

/// <summary>
/// Shards on the real process against the fake Discord, which routes a guild's events to shard
/// <c>(guild_id &gt;&gt; 22) % count</c> and DMs to shard 0: several shards in one process (<c>Discord:ShardIds</c>), the
/// shards split across processes, each shard resuming its own session, and a process without shard 0.
/// </summary>
public sealed class DiscordShardTests : IDisposable
{
    private const string VolunteerId = "400000000000000077";

    /// <summary>Guilds whose events Discord sends to shard 0 and to shard 1 of two (the shard is in the id's bits above 22).</summary>
    private static readonly string GuildOnShard0 = ((1000L << 22) + 1).ToString(CultureInfo.InvariantCulture);

    private static readonly string GuildOnShard1 = ((1001L << 22) + 1).ToString(CultureInfo.InvariantCulture);

    private readonly TempFolder _first = new("discord-shards-a");
    private readonly TempFolder _second = new("discord-shards-b");
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [Fact]
    public async Task Two_shards_in_one_process_each_identify_with_their_shard_and_answer_the_interactions_routed_to_them()
    {
        await using var fake = await ShardedFakeAsync();
        Assert.Equal(0, fake.ShardOf(GuildOnShard0));
        Assert.Equal(1, fake.ShardOf(GuildOnShard1));
        await using var bot = StartBot(fake, _first, "--Discord:ShardIds=0,1");
        await WaitAsync(() => fake.IsLive(0) && fake.IsLive(1), "both shards live", bot);

        // Each shard has its own connection and identified with [id, count].
        var identifies = fake.Identifies.ToList();
        Assert.Equal([0, 1], identifies.Select(i => i.Shard).Order());
        Assert.NotEqual(identifies[0].Connection, identifies[1].Connection);
        Assert.All(fake.Frames.Where(f => f.Op == 2), f => Assert.Equal(2, JsonNode.Parse(f.Json)!["d"]!["shard"]![1]!.GetValue<int>()));

        var onShard0 = await HelpAsync(fake, GuildOnShard0, "100000000000000001");
        var onShard1 = await HelpAsync(fake, GuildOnShard1, "100000000000000002");
        Assert.Equal(0, fake.Routed.Single(r => r.Id == onShard0).Shard);
        Assert.Equal(1, fake.Routed.Single(r => r.Id == onShard1).Shard);

        // A DM comes on shard 0 and is answered as before.
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(fake.NewMessageId(), "100000000000000003", "sam", "hello, is anyone there?"));
        await WaitAsync(() => fake.CallsTo("POST", "/channels/dm-100000000000000003/messages").Count > 0, "the DM answered", bot);

        Assert.Contains("Start-up: Discord: gateway, shards 0, 1 of 2", bot.Errors, StringComparison.Ordinal);
        AssertNothingRefused(fake);
        Assert.DoesNotContain(FakeDiscord.DefaultToken, bot.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_shards_identifying_in_one_bucket_wait_five_seconds_between_identifies()
    {
        // max_concurrency 1: every shard is in bucket 0, and Discord takes one IDENTIFY there per five seconds.
        await using var fake = await ShardedFakeAsync(maxConcurrency: 1);
        await using var bot = StartBot(fake, _first, "--Discord:ShardIds=0,1");
        await WaitAsync(() => fake.IsLive(0) && fake.IsLive(1), "both shards live", bot, seconds: 30);

        var identifies = fake.Identifies.OrderBy(i => i.Timestamp).ToList();
        Assert.Equal(2, identifies.Count);
        Assert.InRange(Stopwatch.GetElapsedTime(identifies[0].Timestamp, identifies[1].Timestamp).TotalSeconds, 5, 15);
        AssertNothingRefused(fake); // none refused with INVALID_SESSION for coming too soon
    }

    [Fact]
    public async Task A_first_identify_that_reaches_Discord_late_still_leaves_five_seconds_before_the_next_one()
    {
        // As on a busy machine: shard 0's IDENTIFY reaches Discord 1.5 s after it was sent. Counted from the send, shard
        // 1's turn came 3.7 s after Discord took shard 0's, and Discord refused it.
        await using var fake = await ShardedFakeAsync(maxConcurrency: 1);
        fake.FirstIdentifyLatency = TimeSpan.FromSeconds(1.5);
        await using var bot = StartBot(fake, _first, "--Discord:ShardIds=0,1");
        await WaitAsync(() => fake.IsLive(0) && fake.IsLive(1), "both shards live", bot, seconds: 30);

        var identifies = fake.Identifies.OrderBy(i => i.Timestamp).ToList();
        Assert.Equal(2, identifies.Count);
        Assert.True(Stopwatch.GetElapsedTime(identifies[0].Timestamp, identifies[1].Timestamp).TotalSeconds >= 5);
        AssertNothingRefused(fake);
    }

    [Fact]
    public async Task Two_processes_split_the_shards_and_each_resumes_its_own_shard_after_a_restart()
    {
        await using var fake = await ShardedFakeAsync();
        await using var first = StartBot(fake, _first, "--Discord:ShardIds=0");
        var second = StartBot(fake, _second, "--Discord:ShardIds=1");
        try
        {
            await WaitAsync(() => fake.IsLive(0) && fake.IsLive(1), "both shards live", second);
            Assert.Equal([0, 1], fake.Identifies.Select(i => i.Shard).Order());

            await HelpAsync(fake, GuildOnShard0, "100000000000000011");
            await HelpAsync(fake, GuildOnShard1, "100000000000000012");

            // DMs come on shard 0 only: the first process stores them, the second never sees them.
            await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(fake.NewMessageId(), "100000000000000013", "sam", "I need to talk to someone"));
            await WaitAsync(() => fake.CallsTo("POST", "/channels/dm-100000000000000013/messages").Count > 0, "the DM answered", first);
            Assert.Equal(1, DiscordInboxRows(_first));
            Assert.Equal(0, DiscordInboxRows(_second));

            // The second process stops; what Discord sends its shard meanwhile waits for it, while the first keeps answering.
            Assert.Equal(0, await second.TerminateAsync());
        }
        finally
        {
            await second.DisposeAsync();
        }

        var whileAway = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", InGuild(DiscordRig.Command(whileAway, DiscordRig.Member("100000000000000014", "ana"), "help"), GuildOnShard1));
        await HelpAsync(fake, GuildOnShard0, "100000000000000015");
        Assert.Empty(fake.CallsTo("POST", $"/interactions/{whileAway}/"));

        var connectionsBefore = fake.Connections;

        // Restarted on its own database, it resumes shard 1's session (no new IDENTIFY) and Discord replays the command.
        await using var restarted = StartBot(fake, _second, "--Discord:ShardIds=1");
        await WaitAsync(() => fake.CallsTo("POST", $"/interactions/{whileAway}/").Count > 0, "the command sent while away answered", restarted);
        Assert.Equal(2, fake.Identifies.Count);
        Assert.Contains(fake.Frames, f => f.Op == 6 && f.Connection > connectionsBefore);
        Assert.Contains("Resuming the saved Discord session of shard 1", restarted.Errors, StringComparison.Ordinal);
        AssertNothingRefused(fake);
    }

    [Fact]
    public async Task One_shard_dropped_resumes_while_the_other_keeps_answering()
    {
        await using var fake = await ShardedFakeAsync();
        await using var bot = StartBot(fake, _first, "--Discord:ShardIds=0,1");
        await WaitAsync(() => fake.IsLive(0) && fake.IsLive(1), "both shards live", bot);
        var connections = fake.Connections;

        await fake.DropAsync(shard: 1);
        var sentDuringDrop = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", InGuild(DiscordRig.Command(sentDuringDrop, DiscordRig.Member("100000000000000021", "ana"), "help"), GuildOnShard1));
        await HelpAsync(fake, GuildOnShard0, "100000000000000022");

        await WaitAsync(() => fake.CallsTo("POST", $"/interactions/{sentDuringDrop}/").Count > 0, "the command sent during the drop answered", bot);
        await HelpAsync(fake, GuildOnShard1, "100000000000000023");

        // Only shard 1 reconnected, and it resumed its own session (the fake replayed shard 1's log, where the command
        // waited): one new connection, one RESUME, no new IDENTIFY.
        Assert.Equal(connections + 1, fake.Connections);
        Assert.Equal(2, fake.Identifies.Count);
        Assert.Single(fake.Frames, f => f.Op == 6);
        Assert.Equal(1, fake.Resumed);
        AssertNothingRefused(fake);
    }

    [Fact]
    public async Task A_process_without_shard_0_answers_its_guilds_and_relays_a_claim_but_leaves_dm_channels_to_shard_0()
    {
        await using var fake = await ShardedFakeAsync();
        const string Survivor = "100000000000000031";

        // Run first with both shards: a survivor writes (shard 0) and consents, so a conversation waits.
        await using (var both = StartBot(fake, _first, "--Discord:ShardIds=0,1"))
        {
            await WaitAsync(() => fake.IsLive(0) && fake.IsLive(1), "both shards live", both);
            await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(fake.NewMessageId(), Survivor, "sam", "my coach kept touching me after sessions"));
            RestCall? welcome = null;
            await WaitAsync(() => (welcome = fake.CallsTo("POST", $"/channels/dm-{Survivor}/messages") is [var first, ..] ? first : null) is not null, "the welcome", both);
            var consent = DiscordMissionTests.Buttons(welcome!.Json!).First(id => id.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
            await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Component(DiscordRig.NextId(), consent, null, DiscordRig.User(Survivor, "sam")));
            await WaitAsync(() => fake.CallsTo("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages").Count > 0, "the volunteer notice", both);
            Assert.Equal(0, await both.TerminateAsync());
        }

        // Shard 1's saved session has expired meanwhile: the new process identifies it anew.
        fake.ExpireSession();
        var notice = fake.CallsTo("POST", $"/channels/{DiscordRig.VolunteerChannelId}/messages")[0].Json!;
        var claimId = DiscordMissionTests.Buttons(notice).Single(id => id.StartsWith("claim:", StringComparison.Ordinal));
        await using var shard1Only = StartBot(fake, _first, "--Discord:ShardIds=1");
        await WaitAsync(() => fake.IsLive(1), "shard 1 live", shard1Only, seconds: 30);

        // A volunteer claims in a guild on shard 1: answered, and the disclosure is relayed to them by DM.
        var claim = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", InGuild(DiscordRig.Component(claim, claimId, DiscordRig.Member(VolunteerId, "vic")), GuildOnShard1));
        await WaitAsync(() => fake.CallsTo("POST", $"/interactions/{claim}/").Count > 0, "the claim answered", shard1Only);
        await WaitAsync(() => fake.CallsTo("POST", $"/channels/dm-{VolunteerId}/messages").Any(c => c.Body.Contains("touching me", StringComparison.Ordinal)),
            "the disclosure relayed to the volunteer", shard1Only);
        await HelpAsync(fake, GuildOnShard1, "100000000000000032");

        // Its new session is not shard 0's: DMs never come on it, so it reads no DM channel back, though a conversation is open.
        Assert.Empty(fake.CallsTo("GET", "/messages"));
        Assert.DoesNotContain(fake.Identifies.Skip(2), i => i.Shard == 0);
        Assert.DoesNotContain("touching me", shard1Only.Errors, StringComparison.Ordinal);

        // A restarted process may identify sooner than five seconds after the last process did; Discord then answers
        // INVALID_SESSION and the bot identifies again after its wait.
        AssertNothingRefused(fake, "op 9:");
    }

    [Fact]
    public async Task A_shard_count_discord_does_not_know_stops_the_adapter_with_a_message_naming_the_settings()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.ShardCount = 2, settings: s =>
        {
            s["Discord:ShardCount"] = "3";
            s["Discord:ShardIds"] = "2";
        });
        rig.ExpectRefusals = true;

        var error = await Assert.ThrowsAsync<DiscordFatalException>(() => rig.Connection.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("invalid shard (4010) for shard 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("Discord:ShardIds", error.Message, StringComparison.Ordinal);
        Assert.Equal(["4010: Invalid shard [2, 3]"], rig.Fake.Refusals);
    }

    [Fact]
    public async Task The_fake_closes_a_connection_that_identifies_twice_with_4005_as_discord_does()
    {
        await using var fake = await ShardedFakeAsync();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(fake.BaseUrl.Replace("http://", "ws://", StringComparison.Ordinal) + "/gateway/?v=10&encoding=json"), CancellationToken.None);
        var identify = new JsonObject
        {
            ["op"] = 2,
            ["d"] = new JsonObject
            {
                ["token"] = FakeDiscord.DefaultToken,
                ["intents"] = 4097,
                ["properties"] = new JsonObject { ["os"] = "linux", ["browser"] = "test", ["device"] = "test" },
                ["shard"] = new JsonArray(1, 2),
            },
        }.ToJsonString();
        var buffer = new byte[64 * 1024];
        await socket.ReceiveAsync(buffer, CancellationToken.None); // HELLO
        await socket.SendAsync(Encoding.UTF8.GetBytes(identify), WebSocketMessageType.Text, true, CancellationToken.None);
        var ready = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Contains("\"READY\"", Encoding.UTF8.GetString(buffer, 0, ready.Count), StringComparison.Ordinal);

        await socket.SendAsync(Encoding.UTF8.GetBytes(identify), WebSocketMessageType.Text, true, CancellationToken.None);
        var closed = await socket.ReceiveAsync(buffer, CancellationToken.None);

        Assert.Equal(WebSocketMessageType.Close, closed.MessageType);
        Assert.Equal(4005, (int)socket.CloseStatus!);
        Assert.Equal(["4005: Already authenticated"], fake.Refusals);
        Assert.Equal(1, fake.Identifies.Single().Shard);
    }

    /// <summary>
    /// Nothing Discord would refuse, but an answer after Discord's 3 s (10062), which is a slow machine starting a process
    /// (the interaction was handled and answered), and what <paramref name="alsoAllowed"/> names.
    /// </summary>
    private static void AssertNothingRefused(FakeDiscord fake, string? alsoAllowed = null) =>
        Assert.DoesNotContain(fake.Refusals, r => !r.StartsWith("10062:", StringComparison.Ordinal)
            && !(alsoAllowed is not null && r.StartsWith(alsoAllowed, StringComparison.Ordinal)));

    private static async Task<FakeDiscord> ShardedFakeAsync(int maxConcurrency = 2)
    {
        var fake = await FakeDiscord.StartAsync();
        fake.ShardCount = 2;
        fake.MaxConcurrency = maxConcurrency;

        // A slow heartbeat: on a machine shared by many builds, a 150 ms one makes the bot take a session for a zombie
        // and resume now and then, which is correct but not what these tests count.
        fake.HeartbeatIntervalMs = 2000;
        return fake;
    }

    /// <summary>Runs /help in a guild and waits for its answer; returns the interaction id.</summary>
    private static async Task<string> HelpAsync(FakeDiscord fake, string guildId, string userId)
    {
        var id = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", InGuild(DiscordRig.Command(id, DiscordRig.Member(userId, "someone"), "help"), guildId));
        await fake.WaitForCallAsync("POST", $"/interactions/{id}/", seconds: 30);
        return id;
    }

    private static JsonObject InGuild(JsonObject interaction, string guildId)
    {
        interaction["guild_id"] = guildId;
        return interaction;
    }

    private ConsoleProcess StartBot(FakeDiscord fake, TempFolder folder, params string[] args) => ConsoleProcess.Start(folder.Path,
    [
        $"--Discord:Token={FakeDiscord.DefaultToken}", $"--Discord:ApplicationId={DiscordRig.ApplicationId}", $"--Discord:ApiBaseUrl={fake.ApiBaseUrl}",
        $"--Discord:VolunteerChannelId={DiscordRig.VolunteerChannelId}", $"--Discord:VolunteerUserIds:0={VolunteerId}", "--Discord:ShardCount=2",
        $"--Storage:EncryptionKey={Convert.ToBase64String(_key)}", .. args,
    ]);

    private static long DiscordInboxRows(TempFolder folder)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = folder.File("supportbot.db"), Pooling = false }.ToString());
        db.Open();
        return db.ExecuteScalar<long>("SELECT COUNT(*) FROM Inbox WHERE Platform = 'Discord'");
    }

    /// <summary>Waits for something the bots do (never a fixed sleep); a timeout shows the process's log.</summary>
    private static async Task WaitAsync(Func<bool> done, string what, ConsoleProcess bot, double seconds = 20)
    {
        try
        {
            await FakeDiscord.WaitAsync(() => done() ? "" : null, what, seconds);
        }
        catch (TimeoutException e)
        {
            var log = bot.Errors;
            throw new Xunit.Sdk.XunitException($"{e.Message}\n--- log tail:\n{log[Math.Max(0, log.Length - 4000)..]}");
        }
    }
}
