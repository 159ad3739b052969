using SupportBot.Tests.Fakes;
using SupportBot.Tests.Storage;
using SupportBot.Tests.Support;
using Xunit.Abstractions;

namespace SupportBot.Tests.Slack;

/// <summary>
/// The steps the kill-and-restart tests over the fake Slack share: a bot process once it is connected and taking events,
/// a survivor queued, and what the bot told Slack.
/// </summary>
internal static class SlackKillSteps
{
    /// <summary>The process <paramref name="start"/> starts, once it is connected to the fake and its lease loop runs; its log goes to the test's output if it never is.</summary>
    public static async Task<ConsoleProcess> ConnectedAsync(this FakeSlack slack, Func<ConsoleProcess> start, ITestOutputHelper output)
    {
        var connections = slack.ConnectionCount;
        var bot = start();
        try
        {
            await slack.WaitForConnectionsAsync(connections + 1, TimeSpan.FromSeconds(60));
            await Eventually.TrueAsync(() => bot.Errors.Contains("Inbox leases held as", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the lease loop started");
        }
        catch (TimeoutException)
        {
            output.WriteLine(bot.Errors);
            await bot.DisposeAsync();
            throw;
        }

        return bot;
    }

    /// <summary>A survivor writes (on connection <paramref name="on"/>, or any) and presses "yes, under a made-up name": the conversation is queued.</summary>
    public static async Task ConsentAsync(this FakeSlack slack, string user, string eventId, FakeSocket? on = null)
    {
        await slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage(user, KillRestartRig.Words, eventId), on);
        var welcome = await SlackSocketModeTests.PostedToAsync(slack, "D" + user, 1, TimeSpan.FromSeconds(30));
        var consent = SlackTestHost.ActionIds(welcome[0].Args).Single(a => a.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        await slack.SendEnvelopeAsync("interactive", SlackTestHost.ButtonPress(slack, user, consent, "D" + user, "r-" + eventId), on);
    }

    /// <summary>The messages posted to a channel whose payload holds <paramref name="text"/>.</summary>
    public static List<string> PostsTo(this FakeSlack slack, string channel, string text) => slack.CallsTo("chat.postMessage")
        .Where(c => c.Args["channel"]?.GetValue<string>() == channel)
        .Select(c => c.Args.ToJsonString())
        .Where(json => json.Contains(text, StringComparison.Ordinal))
        .ToList();

    /// <summary>Everything the bot told Slack: posts, acknowledgements' payloads and response_url answers.</summary>
    public static List<string> Everything(this FakeSlack slack) =>
    [
        .. slack.Calls.Select(c => c.Args.ToJsonString()),
        .. slack.AllAcks.Select(a => a.Payload?.ToJsonString() ?? ""),
        .. slack.Responses.Select(r => r.Body.ToJsonString()),
    ];
}
