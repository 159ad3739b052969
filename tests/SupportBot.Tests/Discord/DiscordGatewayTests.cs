using System.Diagnostics;
using System.Text.Json.Nodes;
using SupportBot.Discord;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Discord;

[Collection(TimingCollection)]
public sealed class DiscordGatewayTests
{
    /// <summary>Tests that measure heartbeat cadence, or that block a pool thread on purpose, run one at a time.</summary>
    public const string TimingCollection = "Discord timing";

    [Fact]
    public async Task Identify_asks_only_for_guild_and_dm_intents_and_heartbeats_keep_their_interval()
    {
        await using var rig = await DiscordRig.StartAsync();
        var identify = JsonNode.Parse(rig.Fake.Frames.First(f => f.Op == 2).Json)!["d"]!;
        Assert.Equal(1 | 4096, identify["intents"]!.GetValue<int>());
        Assert.Equal("[0,1]", identify["shard"]!.ToJsonString());

        await rig.Fake.WaitForFrameAsync(op: 1, count: 7);
        var beats = rig.Fake.Frames.Where(f => f.Op == 1).Take(7).ToList();
        var gaps = beats.Zip(beats.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a.Timestamp, b.Timestamp).TotalMilliseconds).ToList();

        // The fake announces 150 ms; each beat must follow the last by about that, never in a burst or a stall
        // (the bounds allow for a machine busy with other builds: a beat held up by the scheduler is followed by the
        // next one on its own time, so one gap may be short, never near zero).
        Assert.All(gaps, gap => Assert.InRange(gap, 25, 400));
        Assert.InRange(gaps.Average(), 130, 230);
        Assert.Equal(1, JsonNode.Parse(beats[^1].Json)!["d"]!.GetValue<int>()); // the last sequence seen (READY)
        Assert.Equal(1, rig.Fake.Connections);
    }

    [Fact]
    public async Task A_missed_heartbeat_ack_makes_the_bot_reconnect_and_resume_its_session()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.AckHeartbeats = false);

        var resume = await rig.Fake.WaitForFrameAsync(op: 6);
        var d = JsonNode.Parse(resume.Json)!["d"]!;
        Assert.Equal("session-1", d["session_id"]!.GetValue<string>());
        Assert.Equal(1, d["seq"]!.GetValue<int>());
        Assert.Equal(DiscordRig.Token, d["token"]!.GetValue<string>());
        Assert.Equal(2, resume.Connection);
        Assert.Single(rig.Fake.Frames, f => f.Op == 2); // resumed, not identified again
    }

    [Fact]
    public async Task Across_a_resume_no_event_is_lost_or_handled_twice()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.ReplaySeenOnResume = true);
        var fake = rig.Fake;
        await fake.WaitForCallAsync("PUT", "/commands");

        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "ana", "hello, is anyone there"));
        await fake.WaitForCallAsync("POST", "/channels/dm-111/messages");

        // Discord asks for a reconnect; two events arrive while the bot is away.
        await fake.SendReconnectAsync();
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "222", "bo", "I need to talk to someone"));
        var command = DiscordRig.NextId();
        await fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(command, DiscordRig.Member("333", "cy"), "resources"));

        await fake.WaitForFrameAsync(op: 6);
        await fake.WaitForCallAsync("POST", "/channels/dm-222/messages");
        await fake.WaitForCallAsync("POST", $"/interactions/{command}/");
        foreach (var person in new[] { "111", "222", "333" })
        {
            await rig.SentinelAsync(person); // a duplicate would have been handled before this
        }

        // The fake replayed the first message too (as Discord may); it was answered once.
        Assert.Equal(2, fake.Frames.Count(f => f.Op is 2 or 6));
        Assert.Single(fake.CallsTo("POST", "/channels/dm-111/messages"));
        Assert.Single(fake.CallsTo("POST", "/channels/dm-222/messages"));
        Assert.Single(fake.CallsTo("POST", $"/interactions/{command}/"));
    }

    [Fact]
    public async Task Stopping_still_answers_the_direct_messages_already_received()
    {
        // Discord is slow to accept the answers, so ana's second message still waits behind her first when the host stops.
        await using var rig = await DiscordRig.StartAsync(f => f.Respond = call => call is { Method: "POST", Path: "/channels/dm-111/messages" }
            ? new FakeResponse(200, "{\"id\":\"1\"}", Delay: TimeSpan.FromMilliseconds(1500))
            : null);
        var fake = rig.Fake;
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "ana", "hello, is anyone there"));
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "ana", "I need to talk to someone"));
        await fake.WaitForCallAsync("POST", "/channels/dm-111/messages");
        await rig.SentinelAsync("333"); // read after ana's second message, so that one has been received too

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await rig.Connection.StopAsync(timeout.Token);

        // The gateway will not deliver either again: both were answered before the adapter stopped.
        Assert.True(fake.CallsTo("POST", "/channels/dm-111/messages").Count >= 2, "the second message was not answered");
    }

    [Fact]
    public async Task A_dropped_socket_is_resumed()
    {
        await using var rig = await DiscordRig.StartAsync();
        await rig.Fake.WaitForFrameAsync(op: 1);

        await rig.Fake.DropAsync();

        var resume = await rig.Fake.WaitForFrameAsync(op: 6);
        Assert.Equal(2, resume.Connection);
    }

    [Fact]
    public async Task An_invalid_session_that_cannot_be_resumed_makes_the_bot_identify_anew_after_a_wait()
    {
        await using var rig = await DiscordRig.StartAsync();
        await rig.Fake.WaitForFrameAsync(op: 1);
        var sent = Stopwatch.GetTimestamp();

        await rig.Fake.SendInvalidSessionAsync(resumable: false);

        var identify = await rig.Fake.WaitForFrameAsync(op: 2, count: 2, seconds: 8);
        Assert.InRange(Stopwatch.GetElapsedTime(sent, identify.Timestamp).TotalSeconds, 1, 6.5);
        Assert.DoesNotContain(rig.Fake.Frames, f => f.Op == 6);
    }

    [Fact]
    public async Task A_session_closed_soon_after_ready_identifies_again_only_after_its_five_seconds()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.CloseAfterReady = 4009);

        var second = await rig.Fake.WaitForFrameAsync(op: 2, count: 2, seconds: 10);

        // Discord takes one IDENTIFY per bucket every five seconds (a sooner one is refused, which the rig would report),
        // so a session that keeps ending cannot spend the daily identify budget in a tight loop.
        var first = rig.Fake.Frames.First(f => f.Op == 2);
        Assert.True(Stopwatch.GetElapsedTime(first.Timestamp, second.Timestamp) >= TimeSpan.FromSeconds(5), "identified again within five seconds");
    }

    [Fact]
    public async Task A_fatal_close_code_stops_the_adapter_with_a_clear_error_and_no_reconnect()
    {
        await using var rig = await DiscordRig.StartAsync(f => f.CloseOnIdentify = 4004);

        var stopped = rig.Connection.ExecuteTask!;
        var error = await Assert.ThrowsAsync<DiscordFatalException>(() => stopped.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("authentication failed (4004)", error.Message, StringComparison.Ordinal);
        Assert.Contains("Discord:Token", error.Message, StringComparison.Ordinal);

        // The connection loop has ended (its task is done), so no reconnect can follow.
        Assert.Equal(1, rig.Fake.Connections);
        Assert.Contains(rig.Core.Logs.Lines, l => l.StartsWith("Critical", StringComparison.Ordinal) && l.Contains("4004", StringComparison.Ordinal));
        Assert.DoesNotContain(DiscordRig.Token, rig.Core.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_stops_the_adapter_with_a_clear_error_and_no_connection()
    {
        await using var rig = await DiscordRig.StartAsync(start: false, settings: s => s["Discord:Token"] = "wrong-token.SECRET-not-logged");
        rig.ExpectRefusals = true;

        await rig.Connection.StartAsync(CancellationToken.None);

        var error = await Assert.ThrowsAsync<DiscordFatalException>(() => rig.Connection.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("401", error.Message, StringComparison.Ordinal);
        Assert.Contains("Discord:Token", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, rig.Fake.Connections);
        Assert.DoesNotContain("wrong-token", rig.Core.Logs.AllText, StringComparison.Ordinal);
    }
}
