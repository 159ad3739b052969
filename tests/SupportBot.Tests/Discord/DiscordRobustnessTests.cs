using System.Diagnostics;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Discord;

/// <summary>Invariants 9 and 10 on the gateway: bad frames are skipped, and people are served in parallel, each in order.</summary>
public sealed class DiscordRobustnessTests
{
    [Fact]
    public async Task A_malformed_gateway_frame_is_logged_and_skipped_and_the_connection_stays_up()
    {
        // Measured on main: one malformed frame dropped the connection, and the events in the gap were lost.
        await using var rig = await DiscordRig.StartAsync();
        var fake = rig.Fake;
        await fake.WaitForCallAsync("PUT", "/commands");

        await fake.SendFrameAsync("{\"op\":0,\"s\":");
        await fake.SendFrameAsync("[1,2,3]");
        await fake.SendFrameAsync("{\"op\":0,\"s\":40,\"t\":\"READY\",\"d\":{\"v\":10}}");
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "ana", "hello, is anyone there"));

        await fake.WaitForCallAsync("POST", "/channels/dm-111/messages");
        Assert.Equal(1, fake.Connections);
        Assert.Equal(3, rig.Core.Logs.Lines.Count(l => l.Contains("Skipped a malformed Discord gateway frame", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Frames_and_dispatch_data_of_the_wrong_shape_are_skipped_and_what_follows_is_answered()
    {
        await using var rig = await DiscordRig.StartAsync();
        var fake = rig.Fake;
        await fake.WaitForCallAsync("PUT", "/commands");

        await fake.SendFrameAsync("{\"op\":0,\"s\":41,\"t\":\"INTERACTION_CREATE\",\"d\":{\"id\":\"1\"}} trailing");
        await fake.SendFrameAsync("{\"op\":0,\"s\":\"forty-two\",\"t\":\"MESSAGE_CREATE\",\"d\":{}}");
        await fake.SendFrameAsync("{\"op\":0,\"s\":43,\"t\":\"INTERACTION_CREATE\",\"d\":[1,2,3]}");
        await fake.SendFrameAsync("{\"op\":0,\"s\":44,\"t\":\"MESSAGE_CREATE\",\"d\":null}");
        await fake.SendFrameAsync("{\"op\":0,\"s\":45,\"t\":\"INTERACTION_CREATE\",\"d\":{\"id\":7,\"type\":\"two\"}}");
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "ana", "hello, is anyone there"));
        await rig.SentinelAsync("222");

        await fake.WaitForCallAsync("POST", "/channels/dm-111/messages");
        Assert.Equal(1, fake.Connections);
        Assert.Equal(2, rig.Core.Logs.Lines.Count(l => l.Contains("Skipped a malformed Discord gateway frame", StringComparison.Ordinal)));
        Assert.Equal(3, rig.Core.Logs.Lines.Count(l => l.Contains("Rejected a malformed Discord", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_dm_with_a_null_author_is_a_logged_rejection_and_the_next_one_is_answered()
    {
        await using var rig = await DiscordRig.StartAsync();
        var fake = rig.Fake;
        var noAuthor = DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "ana", "hello");
        noAuthor["author"] = null;
        var nullId = DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "ana", "hello");
        nullId["author"]!["id"] = null;

        await fake.DispatchAsync("MESSAGE_CREATE", noAuthor);
        await fake.DispatchAsync("MESSAGE_CREATE", nullId);
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "222", "bo", "hello, is anyone there"));

        await fake.WaitForCallAsync("POST", "/channels/dm-222/messages");
        Assert.Equal(2, rig.Core.Logs.Lines.Count(l => l.Contains("Rejected a malformed Discord MESSAGE_CREATE", StringComparison.Ordinal)));
        Assert.Empty(fake.CallsTo("POST", "/channels/dm-111/messages"));
        Assert.Equal(1, fake.Connections);
    }

    [Fact]
    public async Task A_rate_limited_reply_to_one_survivor_delays_nobody_else()
    {
        // Measured on main: one 429 with retry_after 20 s delayed every other survivor's answer by 19 s.
        var limited = 0;
        await using var rig = await DiscordRig.StartAsync(f => f.Respond = call =>
            call is { Method: "POST", Path: "/channels/dm-111/messages" } && Interlocked.Exchange(ref limited, 1) == 0
                ? new FakeResponse(429, "{\"message\":\"You are being rate limited.\",\"retry_after\":3,\"global\":false}",
                    new Dictionary<string, string> { ["Retry-After"] = "3", ["X-RateLimit-Scope"] = "user" })
                : null);
        var fake = rig.Fake;
        await fake.WaitForCallAsync("PUT", "/commands");

        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "111", "ana", "hello, is anyone there"));
        await fake.WaitForCallAsync("POST", "/channels/dm-111/messages"); // the 429
        var sent = Stopwatch.GetTimestamp();
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "222", "bo", "I need to talk to someone"));
        await fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(DiscordRig.NextId(), "333", "cy", "are you there"));

        var bo = await fake.WaitForCallAsync("POST", "/channels/dm-222/messages");
        var cy = await fake.WaitForCallAsync("POST", "/channels/dm-333/messages");
        var ana = await fake.WaitForCallAsync("POST", "/channels/dm-111/messages", count: 2, seconds: 10);

        Assert.True(Stopwatch.GetElapsedTime(sent, bo.Timestamp) < TimeSpan.FromSeconds(2), "bo waited behind ana's rate limit");
        Assert.True(Stopwatch.GetElapsedTime(sent, cy.Timestamp) < TimeSpan.FromSeconds(2), "cy waited behind ana's rate limit");
        Assert.True(ana.Timestamp > bo.Timestamp && ana.Timestamp > cy.Timestamp, "ana's retry came before the others were answered");
    }
}
