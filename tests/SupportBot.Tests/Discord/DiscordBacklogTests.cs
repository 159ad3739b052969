using System.Collections.Concurrent;
using System.Diagnostics;
using SupportBot.Core;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Discord;

/// <summary>A backlog of interactions (more at once than Discord's answers can keep up with) never makes the bot send what Discord refuses.</summary>
[Collection(DiscordGatewayTests.TimingCollection)]
public sealed class DiscordBacklogTests
{
    [Fact]
    public async Task In_a_backlog_no_initial_response_goes_late_or_twice_and_the_rest_are_counted_as_too_late()
    {
        // Each initial response takes 400 ms at Discord, so 32 connections answer about 80 a second: of 400 /help at
        // once, only the first couple of hundred can be answered within 3 s. The fake takes any answer here (Respond
        // skips its own checks), so the test checks the deadline and the single initial response itself.
        var dispatched = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        await using var rig = await DiscordRig.StartAsync(f => f.Respond = call => call.Path.EndsWith("/callback", StringComparison.Ordinal)
            ? new FakeResponse(204, "", Delay: TimeSpan.FromMilliseconds(400))
            : null);
        var ids = Enumerable.Range(0, 400).Select(_ => DiscordRig.NextId()).ToList();

        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            dispatched[id] = Stopwatch.GetTimestamp();
            await rig.Fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(id, DiscordRig.Member($"{5000 + i}", $"member{i}"), "help"));
        }

        await FakeDiscord.WaitAsync(
            () => rig.Core.Logs.Lines.FirstOrDefault(l => l.Contains("could not be answered within Discord's 3 s", StringComparison.Ordinal)),
            "the late answers counted", seconds: 15);
        await Task.Delay(TimeSpan.FromSeconds(1)); // the requests already under way land

        var callbacks = rig.Fake.CallsTo("POST", "/callback").Select(c => (Id: c.Path.Split('/')[2], c.Timestamp)).ToList();
        Assert.InRange(callbacks.Count, 1, ids.Count - 1);
        Assert.All(callbacks.GroupBy(c => c.Id), g => Assert.Single(g));
        // The bot's clock starts when it reads the frame, which in a loaded test run lags the dispatch by a few hundred
        // ms (as Discord's gateway does); before, the last answers of such a backlog went out about 5 s after dispatch.
        Assert.All(callbacks, c => Assert.True(
            Stopwatch.GetElapsedTime(dispatched[c.Id], c.Timestamp) < TimeSpan.FromSeconds(4),
            $"an initial response reached Discord {Stopwatch.GetElapsedTime(dispatched[c.Id], c.Timestamp).TotalMilliseconds} ms after its interaction"));
        Assert.Empty(rig.Fake.CallsTo("PATCH", "/messages/@original"));
    }

    [Fact]
    public async Task A_backlog_of_interactions_never_stops_the_bot_reading_a_dm_behind_it()
    {
        // More interactions in hand than the bot may hold DMs (ReadLimit), each answer 4 s at Discord, so none ends
        // before the first answers do: were they counted, the gateway would not be read again until then. The DM sent
        // after them must be read and answered while they are all still waiting.
        var answerTakes = TimeSpan.FromSeconds(4);
        await using var rig = await DiscordRig.StartAsync(f => f.Respond = call => call.Path.EndsWith("/callback", StringComparison.Ordinal)
            ? new FakeResponse(204, "", Delay: answerTakes)
            : null);
        for (var i = 0; i < ReadLimit.Limit + 100; i++)
        {
            await rig.Fake.DispatchAsync("INTERACTION_CREATE", DiscordRig.Command(DiscordRig.NextId(), DiscordRig.Member($"{5000 + i}", $"member{i}"), "help"));
        }

        await rig.Fake.DispatchAsync("MESSAGE_CREATE", DiscordRig.DirectMessage(rig.Fake.NewMessageId(), "111", "ana", "my coach keeps messaging me late at night"));

        var answer = await rig.Fake.WaitForCallAsync("POST", "/channels/dm-111/messages", seconds: 30);
        Assert.Contains("consent:pseudonym:", answer.Body, StringComparison.Ordinal);
        var firstSent = await rig.Fake.WaitForCallAsync("POST", "/callback", seconds: 30);
        var firstAnswered = firstSent.Timestamp + (long)(answerTakes.TotalSeconds * Stopwatch.Frequency);
        Assert.True(answer.Timestamp < firstAnswered, "the DM was read only once interactions ahead of it had been answered");
    }
}
