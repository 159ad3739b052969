namespace SupportBot.Discord.Wire;

// Discord's protocol numbers by name. System.Text.Json writes and reads enums as numbers (DiscordJson adds no
// string converter), so the wire is unchanged; a number Discord adds later still reads, as an unnamed value.

/// <summary>An interaction's <c>type</c>.</summary>
internal enum InteractionType
{
    Ping = 1,
    ApplicationCommand = 2,
    MessageComponent = 3,
    ApplicationCommandAutocomplete = 4,
    ModalSubmit = 5,
}

/// <summary>The <c>type</c> of an interaction response (the callback).</summary>
internal enum InteractionCallbackType
{
    Pong = 1,
    ChannelMessageWithSource = 4,
    DeferredChannelMessageWithSource = 5,
    DeferredUpdateMessage = 6,
    UpdateMessage = 7,
    ApplicationCommandAutocompleteResult = 8,
    Modal = 9,
}

/// <summary>A component's <c>type</c>.</summary>
internal enum ComponentType
{
    ActionRow = 1,
    Button = 2,
    StringSelect = 3,
    TextInput = 4,
    Label = 18,
}

/// <summary>A message's <c>flags</c> bit field; only the ones the bot reads or sets.</summary>
[Flags]
internal enum MessageFlags
{
    None = 0,
    Ephemeral = 1 << 6,
}

/// <summary>An application command's <c>type</c> and an option's <c>type</c>.</summary>
internal enum ApplicationCommandType
{
    ChatInput = 1,
}

internal enum ApplicationCommandOptionType
{
    String = 3,
    Integer = 4,
    User = 6,
}

/// <summary>Where an interaction happened (<c>context</c>) and where a command may be used (<c>contexts</c>).</summary>
internal enum InteractionContextType
{
    Guild = 0,
    BotDm = 1,
    PrivateChannel = 2,
}
