using System.Text.Json.Nodes;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Slack;

namespace SupportBot.Tests.Toolkit;

/// <summary>Runs slash commands and presses through the fake Slack and reads the private answers back.</summary>
internal static class SlackToolkit
{
    /// <summary>Runs a slash command over Socket Mode; its private answer, from the ack or the response_url.</summary>
    public static async Task<JsonObject> RunAsync(SlackTestHost host, string user, string command, string text = "")
    {
        var responseId = "r-" + Guid.NewGuid().ToString("N");
        var ack = await host.Slack.WaitForAckAsync(await host.Slack.SendEnvelopeAsync("slash_commands", host.SlashCommand(user, command, text, responseId)));
        if (ack.Payload is { } payload)
        {
            return payload;
        }

        await Eventually.TrueAsync(() => host.Slack.Responses.Any(r => r.Id == responseId), TimeSpan.FromSeconds(10), "the answer to " + command);
        return host.Slack.Responses.First(r => r.Id == responseId).Body;
    }

    /// <summary>Presses a button in a channel or DM; its private answer by response_url.</summary>
    public static async Task<JsonObject> PressAsync(SlackTestHost host, string user, string actionId, string channel)
    {
        var responseId = "p-" + Guid.NewGuid().ToString("N");
        await host.Slack.SendEnvelopeAsync("interactive", host.ButtonPress(user, actionId, channel, responseId));
        await Eventually.TrueAsync(() => host.Slack.Responses.Any(r => r.Id == responseId), TimeSpan.FromSeconds(10), "the answer to " + actionId);
        return host.Slack.Responses.First(r => r.Id == responseId).Body;
    }

    /// <summary>Queues a survivor's DM conversation (message, then consent) and returns the Claim button's action id.</summary>
    public static async Task<string> QueueAsync(SlackTestHost host, string survivor, string text, int noticesBefore)
    {
        var before = host.Slack.CallsTo("chat.postMessage").Count(c => c.Args["channel"]?.GetValue<string>() == "D" + survivor);
        await host.Slack.SendEnvelopeAsync("events_api", SlackTestHost.DirectMessage(survivor, text, "Ev" + Guid.NewGuid().ToString("N")));
        var welcome = await SlackSocketModeTests.PostedToAsync(host.Slack, "D" + survivor, before + 1);
        var consent = SlackTestHost.ActionIds(welcome[^1].Args).Single(a => a.StartsWith("consent:pseudonym:", StringComparison.Ordinal));
        await host.Slack.SendEnvelopeAsync("interactive", host.ButtonPress(survivor, consent, "D" + survivor, "r-" + Guid.NewGuid().ToString("N")));
        var notices = await SlackSocketModeTests.PostedToAsync(host.Slack, SlackTestHost.VolunteerChannel, noticesBefore + 1);
        return SlackTestHost.ActionIds(notices[^1].Args).Single(a => a.StartsWith("claim:", StringComparison.Ordinal));
    }

    public static string Text(this JsonObject answer) => answer.ToJsonString();
}
