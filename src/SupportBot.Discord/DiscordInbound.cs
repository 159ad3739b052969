using System.Text.Json;
using SupportBot.Core;
using SupportBot.Core.Commands;
using SupportBot.Discord.Wire;

namespace SupportBot.Discord;

/// <summary>
/// Wire → core: pure functions from Discord's payloads to the core's events. No I/O here; whether someone is a
/// volunteer is decided before (<see cref="DiscordVolunteers"/>) and passed in with the <see cref="Actor"/>.
/// </summary>
internal static class DiscordInbound
{
    /// <summary>What a MESSAGE_CREATE is to the bot.</summary>
    internal enum MessageKind
    {
        /// <summary>A person wrote to the bot in a DM.</summary>
        DirectMessage,

        /// <summary>Not for the bot: a guild message, a bot's post, the bot's own message.</summary>
        Ignored,

        /// <summary>Claims to be a DM but lacks what one has (an id, an author with an id): logged and dropped.</summary>
        Malformed,
    }

    public static MessageKind Classify(WireMessage message, string? botUserId)
    {
        if (message.GuildId is not null || message.Author is { Bot: true })
        {
            return MessageKind.Ignored;
        }

        // Deserialization does not enforce non-nullable members, so a payload can carry nulls where Discord never sends them.
        if (string.IsNullOrEmpty(message.Id) || string.IsNullOrEmpty(message.ChannelId) || string.IsNullOrEmpty(message.Author?.Id))
        {
            return MessageKind.Malformed;
        }

        return message.Author.Id == botUserId ? MessageKind.Ignored : MessageKind.DirectMessage;
    }

    /// <summary>A DM that <see cref="Classify"/> called <see cref="MessageKind.DirectMessage"/>.</summary>
    public static DirectMessage ToDirectMessage(WireMessage message, Actor actor) =>
        new(actor, "discord:message:" + message.Id, message.Content ?? "");

    /// <summary>Who pressed, typed or submitted: the member's user in a guild, the user in a DM; null when neither has an id.</summary>
    public static WireUser? UserOf(WireInteraction interaction) =>
        (interaction.Member?.User ?? interaction.User) is { Id.Length: > 0 } user ? user : null;

    /// <summary>The name the person shows where they are: their nickname in the guild, their display name, their username.</summary>
    public static Actor ToActor(WireUser user, WireMember? member, bool isVolunteer) =>
        new(new Address(Platform.Discord, user.Id), member?.Nick ?? user.GlobalName ?? user.Username ?? user.Id, isVolunteer);

    /// <summary>A slash command, a component press or a modal submit; null for anything else (a ping, autocomplete, a payload without its data).</summary>
    public static Inbound? ToInbound(WireInteraction interaction, Actor actor, IReadOnlyList<CommandSpec> commands)
    {
        var eventId = "discord:interaction:" + interaction.Id;
        var data = interaction.Data;
        switch (interaction.Type)
        {
            case InteractionType.ApplicationCommand when data?.Name is { } name:
                var named = (data.Options ?? []).Select(o => (o.Name, Text(o.Value))).ToList();
                return new SlashCommand(actor, eventId, name, CommandLine.FromNamed(CommandLine.Find(commands, name), named));
            case InteractionType.MessageComponent when data?.CustomId is { } customId:
                return new ActionInvoked(actor, eventId, customId, data.Values ?? []);
            case InteractionType.ModalSubmit when data?.CustomId is { } formId:
                return new FormSubmitted(actor, eventId, formId, ReadFields(data.Components));
            default:
                return null;
        }
    }

    /// <summary>The values of a submitted modal by input id. Inputs sit in action rows (older format) or labels (current).</summary>
    public static IReadOnlyDictionary<string, string> ReadFields(IReadOnlyList<WireComponent>? components)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        CollectFields(components, fields);
        return fields;
    }

    private static void CollectFields(IReadOnlyList<WireComponent>? components, Dictionary<string, string> fields)
    {
        foreach (var c in components ?? [])
        {
            if (c.CustomId is { } id && (c.Value ?? (c.Values is { } values ? string.Join(",", values) : null)) is { } value)
            {
                fields[id] = value;
            }

            CollectFields(c.Components, fields);
            if (c.Component is { } inner)
            {
                CollectFields([inner], fields);
            }
        }
    }

    private static string Text(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString() ?? "",
        { ValueKind: JsonValueKind.Undefined or JsonValueKind.Null } => "",
        { } v => v.GetRawText(),
        null => "",
    };
}
