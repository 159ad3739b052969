using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using SupportBot.Core;
using SupportBot.Core.Commands;
using SupportBot.Slack;
using SupportBot.Slack.Wire;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Slack;

/// <summary>The official sample payloads through the adapter's wire → core mapping (pure functions, no fake needed).</summary>
public sealed class SlackInboundTests
{
    private static readonly IReadOnlyList<CommandSpec> Commands =
        [new CommandSpec("weather", "The weather", [new CommandOption("zip", "Where"), new CommandOption("when", "When")])];

    [SharedFixtureFact]
    public void The_docs_dm_event_is_a_direct_message_from_its_user()
    {
        var callback = Callback(Load("event.message_im.docs-example.json"), "Ev0001");

        Assert.True(SlackInbound.IsDirectMessageToBot(callback, "UBOT"));
        var dm = SlackInbound.ToDirectMessage(callback, Person("U2147483697"));
        Assert.Equal(("slack:event:Ev0001", "Hello hello can you hear me?"), (dm.EventId, dm.Text));
        Assert.False(SlackInbound.IsDirectMessageToBot(callback, "U2147483697")); // the bot's own post
    }

    [SharedFixtureFact]
    public void A_bot_message_an_edit_and_a_message_without_author_are_not_someone_writing_to_the_bot()
    {
        var bot = Load("event.message.bot_message.json");
        bot["channel_type"] = "im";
        var edited = Load("event.message_im.docs-example.json");
        edited["subtype"] = "message_changed";
        var noAuthor = Load("event.message_im.docs-example.json");
        noAuthor["user"] = null;

        Assert.All([bot, edited, noAuthor], e => Assert.False(SlackInbound.IsDirectMessageToBot(Callback(e, "Ev1"), "UBOT")));
    }

    [SharedFixtureFact]
    public void The_docs_slash_command_form_splits_its_text_by_the_commands_spec_and_keys_on_the_trigger()
    {
        var form = QueryHelpers.ParseQuery(SharedFixtureFactAttribute.Read("slack", "slash_command.http_form_body.docs-example.txt").Trim());
        var payload = new SlashPayload(form["command"], form["text"] + " next &amp; after", form["user_id"], form["user_name"], form["channel_id"],
            form["response_url"], form["trigger_id"]);

        var command = SlackInbound.ToSlashCommand(payload, Person("U2147483697"), Commands);

        Assert.Equal("weather", command.Name);
        Assert.Equal(["94070", "next & after"], command.Args);
        Assert.Equal("slack:cmd:13345224609.738474920.8088930838d88f008e0", command.EventId);
    }

    [SharedFixtureFact]
    public void A_slash_command_without_trigger_id_still_has_a_stable_key_that_does_not_show_its_response_url()
    {
        // Measured on main: without trigger_id each delivery got a fresh Guid, so a redelivery ran twice.
        var payload = Load("socket_envelope.slash_commands.python-sdk.json")["payload"].Deserialize(SlackJson.Default.SlashPayload)! with { TriggerId = null };
        var other = payload with { ResponseUrl = "https://hooks.slack.com/commands/T111/222/yyy" };

        var first = SlackInbound.SlashEventId(payload);

        Assert.Equal(first, SlackInbound.SlashEventId(payload with { }));
        Assert.NotEqual(first, SlackInbound.SlashEventId(other));
        Assert.DoesNotContain("hooks.slack.com", first, StringComparison.Ordinal);
        Assert.Equal(SlackInbound.SlashEventId(payload with { ResponseUrl = null }), SlackInbound.SlashEventId(payload with { ResponseUrl = "" }));
    }

    [SharedFixtureFact]
    public void A_button_press_and_a_select_in_a_modal_become_actions()
    {
        var press = Interactive("socket_envelope.interactive.block_actions.java-sdk.json");
        var select = Interactive("socket_envelope.interactive.block_actions_static_select_in_modal.python-sdk.json");

        var pressed = Assert.IsType<ActionInvoked>(SlackInbound.ToInbound(press, Person("U111")));
        var chosen = Assert.IsType<ActionInvoked>(SlackInbound.ToInbound(select, Person("U12345678")));

        Assert.Equal(("a", "slack:action:111.222.xxx", 0), (pressed.ActionId, pressed.EventId, pressed.Values.Count));
        Assert.Equal(["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"], chosen.Values);
    }

    [SharedFixtureFact]
    public void A_view_submission_becomes_a_form_keyed_by_its_trigger()
    {
        var submit = Load("view_submission.bolt-python.json").Deserialize(SlackJson.Default.InteractivePayload)!;

        var form = Assert.IsType<FormSubmitted>(SlackInbound.ToInbound(submit, Person("W111")));

        Assert.Equal(("view-id", "slack:view:111.222.valid"), (form.FormId, form.EventId));
    }

    [Fact]
    public void A_shortcut_or_other_payload_is_no_core_event()
    {
        var shortcut = new InteractivePayload("shortcut", new SlackUser("U1", "u", "u"), "t", null, null, null, null, null);

        Assert.Null(SlackInbound.ToInbound(shortcut, Person("U1")));
    }

    private static Actor Person(string id) => new(new Address(Platform.Slack, id), "someone", false);

    private static JsonObject Load(string name) => JsonNode.Parse(SharedFixtureFactAttribute.Read("slack", name))!.AsObject();

    private static EventCallback Callback(JsonObject message, string eventId) =>
        new JsonObject { ["type"] = "event_callback", ["event_id"] = eventId, ["event"] = message.DeepClone() }.Deserialize(SlackJson.Default.EventCallback)!;

    private static InteractivePayload Interactive(string name) => Load(name)["payload"].Deserialize(SlackJson.Default.InteractivePayload)!;
}
