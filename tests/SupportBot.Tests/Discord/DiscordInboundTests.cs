using System.Text.Json;
using System.Text.Json.Nodes;
using SupportBot.Core;
using SupportBot.Core.Commands;
using SupportBot.Discord;
using SupportBot.Discord.Wire;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Discord;

/// <summary>The official sample payloads through the adapter's wire → core mapping (pure functions, no fake needed).</summary>
public sealed class DiscordInboundTests
{
    private const string BotUserId = "900000000000000001";

    private static readonly IReadOnlyList<CommandSpec> Commands =
        [new CommandSpec("cardsearch", "Find a card", [new CommandOption("set", "Which set"), new CommandOption("cardname", "Which card")])];

    [SharedFixtureFact]
    public void A_dm_becomes_a_direct_message_with_its_text_and_a_stable_event_id()
    {
        var message = Message("CONSTRUCTED.message_create.dm.json");

        Assert.Equal(DiscordInbound.MessageKind.DirectMessage, DiscordInbound.Classify(message, BotUserId));
        var dm = DiscordInbound.ToDirectMessage(message, Person("53908099506183680"));
        Assert.Equal(("discord:message:334385199974967042", "Supa Hot"), (dm.EventId, dm.Text));
    }

    [SharedFixtureFact]
    public void A_guild_message_and_the_bots_own_dm_are_not_for_the_bot()
    {
        Assert.Equal(DiscordInbound.MessageKind.Ignored, DiscordInbound.Classify(Message("message_create.guild.captured.json"), BotUserId));
        Assert.Equal(DiscordInbound.MessageKind.Ignored, DiscordInbound.Classify(Message("CONSTRUCTED.message_create.dm.json"), "53908099506183680"));
    }

    [SharedFixtureFact]
    public void A_dm_without_an_author_or_an_author_id_is_malformed_not_a_crash()
    {
        // Measured on main: a DM whose author id was null threw on the DM queue.
        var noAuthor = Node("CONSTRUCTED.message_create.dm.json");
        noAuthor["author"] = null;
        var nullId = Node("CONSTRUCTED.message_create.dm.json");
        nullId["author"]!["id"] = null;

        Assert.Equal(DiscordInbound.MessageKind.Malformed, DiscordInbound.Classify(noAuthor.Deserialize(DiscordJson.Default.WireMessage)!, BotUserId));
        Assert.Equal(DiscordInbound.MessageKind.Malformed, DiscordInbound.Classify(nullId.Deserialize(DiscordJson.Default.WireMessage)!, BotUserId));
    }

    [SharedFixtureFact]
    public void A_slash_command_maps_named_options_to_the_specs_order()
    {
        var interaction = Interaction("interaction.application_command.guild.docs.json");
        var user = DiscordInbound.UserOf(interaction)!;

        var command = Assert.IsType<SlashCommand>(DiscordInbound.ToInbound(interaction, Person(user.Id), Commands));

        Assert.Equal("53908232506183680", user.Id);
        Assert.Equal(("cardsearch", "discord:interaction:786008729715212338"), (command.Name, command.EventId));
        Assert.Equal(["", "The Gitrog Monster"], command.Args); // "set" was not given, "cardname" was
    }

    [SharedFixtureFact]
    public void A_command_in_the_bots_dm_has_no_member_and_a_user_without_an_id_is_nobody_to_answer()
    {
        // The docs' sample elides the user ("user": {}); a real one carries the id, and one without it is rejected.
        var interaction = Interaction("interaction.application_command.dm.docs-tutorial.comments-stripped.json");

        Assert.Null(interaction.Member);
        Assert.NotNull(interaction.User);
        Assert.Null(DiscordInbound.UserOf(interaction));
        Assert.Equal(InteractionContextType.BotDm, interaction.Context);
        Assert.Equal("link", Assert.IsType<SlashCommand>(DiscordInbound.ToInbound(interaction, Person("1"), Commands)).Name);
    }

    [SharedFixtureFact]
    public void A_button_press_and_a_select_choice_become_actions_with_their_values()
    {
        var button = Assert.IsType<ActionInvoked>(DiscordInbound.ToInbound(Interaction("interaction.message_component.button.docs-2024.json"), Person("1"), Commands));
        var select = Assert.IsType<ActionInvoked>(DiscordInbound.ToInbound(Interaction("interaction.message_component.string_select.docs-2024.json"), Person("1"), Commands));

        Assert.Equal(("click_one", 0), (button.ActionId, button.Values.Count));
        Assert.Equal("class_select_1", select.ActionId);
        Assert.Equal(["mage", "rogue"], select.Values);
    }

    [SharedFixtureFact]
    public void A_modal_submit_becomes_a_form_with_its_fields_in_either_layout()
    {
        var docs = Assert.IsType<FormSubmitted>(DiscordInbound.ToInbound(Interaction("interaction.modal_submit.action_row.docs-2024.json"), Person("1"), Commands));
        var captured = JsonNode.Parse(SharedFixtureFactAttribute.Read("discord", "interaction_create.modal_submit.captured.json"))!["d"]
            .Deserialize(DiscordJson.Default.WireInteraction)!;
        var form = Assert.IsType<FormSubmitted>(DiscordInbound.ToInbound(captured, Person("1"), Commands));

        Assert.Equal(("cool_modal", "John"), (docs.FormId, docs.Fields["name"]));
        Assert.Equal(("autoPings;add;match", "Hello, dad"), (form.FormId, form.Fields["texts"]));
    }

    [SharedFixtureFact]
    public void A_ping_is_no_core_event_and_has_no_user()
    {
        var ping = Interaction("interaction.ping.discord-interactions-js.json");

        Assert.Equal(InteractionType.Ping, ping.Type);
        Assert.Null(DiscordInbound.UserOf(ping));
        Assert.Null(DiscordInbound.ToInbound(ping, Person("1"), Commands));
    }

    [Fact]
    public void The_name_shown_is_the_nickname_then_the_display_name_then_the_username()
    {
        var user = new WireUser("5", "mason_1", "Mason", null);

        Assert.Equal("Mase", DiscordInbound.ToActor(user, new WireMember(user, "Mase", []), false).DisplayName);
        Assert.Equal("Mason", DiscordInbound.ToActor(user, null, false).DisplayName);
        Assert.Equal("mason_1", DiscordInbound.ToActor(user with { GlobalName = null }, null, true).DisplayName);
        Assert.True(DiscordInbound.ToActor(user, null, true).IsVolunteer);
    }

    private static Actor Person(string id) => new(new Address(Platform.Discord, id), "someone", false);

    private static JsonNode Node(string name)
    {
        var node = JsonNode.Parse(SharedFixtureFactAttribute.Read("discord", name))!;
        return node["t"] is not null && node["d"] is { } d ? d.DeepClone() : node;
    }

    private static WireMessage Message(string name) => Node(name).Deserialize(DiscordJson.Default.WireMessage)!;

    private static WireInteraction Interaction(string name) => Node(name).Deserialize(DiscordJson.Default.WireInteraction)!;
}
