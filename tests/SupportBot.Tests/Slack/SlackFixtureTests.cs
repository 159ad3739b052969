using System.Text.Json.Nodes;
using SupportBot.Tests.Support;
using SupportBot.Tests.Fakes;

namespace SupportBot.Tests.Slack;

/// <summary>The official sample payloads, sent through the fake Slack's socket exactly as Slack would.</summary>
public sealed class SlackFixtureTests
{
    [SharedFixtureFact]
    public async Task The_official_message_im_envelope_is_acknowledged_and_answered_by_direct_message()
    {
        await using var host = await SlackTestHost.StartAsync();
        var envelope = Load("CONSTRUCTED.socket_envelope.events_api.message_im.json");

        var id = await host.Slack.SendEnvelopeAsync("events_api", envelope["payload"]!.AsObject());
        await host.Slack.WaitForAckAsync(id);

        var user = envelope["payload"]!["event"]!["user"]!.GetValue<string>();
        await SlackSocketModeTests.PostedToAsync(host.Slack, "D" + user, 1);
        Assert.Contains(host.Slack.CallsTo("conversations.open"), c => c.Args["users"]?.GetValue<string>() == user);
    }

    [SharedFixtureFact]
    public async Task The_official_slash_command_envelope_is_answered_ephemerally_in_its_ack()
    {
        await using var host = await SlackTestHost.StartAsync();
        var payload = Load("socket_envelope.slash_commands.python-sdk.json")["payload"]!.AsObject();

        var id = await host.Slack.SendEnvelopeAsync("slash_commands", payload);
        var ack = await host.Slack.WaitForAckAsync(id, TimeSpan.FromSeconds(3));

        // /hello-socket-mode is not one of ours: the answer says so, privately.
        Assert.Equal("ephemeral", ack.Payload?["response_type"]?.GetValue<string>());
        Assert.Contains("hello-socket-mode", ack.Payload!.ToJsonString(), StringComparison.Ordinal);
    }

    [SharedFixtureFact]
    public async Task The_official_bot_message_event_is_ignored()
    {
        await using var host = await SlackTestHost.StartAsync();
        var botEvent = Load("event.message.bot_message.json");
        botEvent["channel_type"] = "im";
        var payload = new JsonObject { ["type"] = "event_callback", ["event_id"] = "EvBotFixture", ["event"] = botEvent };

        await host.Slack.WaitForAckAsync(await host.Slack.SendEnvelopeAsync("events_api", payload));
        await host.SentinelAsync("USENTINEL");

        Assert.Empty(host.Slack.CallsTo("chat.postMessage"));
    }

    [SharedFixtureFact]
    public async Task The_official_block_actions_and_view_submission_envelopes_reach_the_core()
    {
        await using var host = await SlackTestHost.StartAsync();
        var press = Load("socket_envelope.interactive.block_actions.java-sdk.json")["payload"]!.AsObject();
        press["response_url"] = host.Slack.ResponseUrl("r-fixture");
        var submit = Load("view_submission.bolt-python.json");

        await host.Slack.WaitForAckAsync(await host.Slack.SendEnvelopeAsync("interactive", press));
        await host.Slack.WaitForAckAsync(await host.Slack.SendEnvelopeAsync("interactive", submit));

        // Neither id was made by this bot, so each gets the core's clear "unknown action" answer, privately.
        await Eventually.TrueAsync(() => host.Slack.Responses.Any(r => r.Id == "r-fixture"), TimeSpan.FromSeconds(10), "the button's answer");
        Assert.Equal("ephemeral", host.Slack.Responses.First(r => r.Id == "r-fixture").Body["response_type"]?.GetValue<string>());
        var submitter = submit["user"]!["id"]!.GetValue<string>();
        await SlackSocketModeTests.PostedToAsync(host.Slack, "D" + submitter, 1);
    }

    private static JsonObject Load(string name) => JsonNode.Parse(File.ReadAllText(SharedFixtureFactAttribute.Path("slack", name)))!.AsObject();
}
