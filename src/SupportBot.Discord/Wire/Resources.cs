using System.Text.Json;

namespace SupportBot.Discord.Wire;

internal sealed record WireUser(string Id, string? Username, string? GlobalName, bool? Bot);

internal sealed record WireMember(WireUser? User, string? Nick, IReadOnlyList<string>? Roles);

/// <summary>The fields of a MESSAGE_CREATE the adapter reads; a DM has no guild_id.</summary>
internal sealed record WireMessage(string Id, string ChannelId, WireUser? Author, string? Content, string? GuildId);

internal sealed record WireChannel(string Id);

internal sealed record WireInteraction(
    string Id,
    InteractionType Type,
    InteractionData? Data,
    string? GuildId,
    WireMember? Member,
    WireUser? User,
    string Token,
    InteractionContextType? Context = null,
    InteractionMessage? Message = null);

/// <summary>The message a component was pressed on; flag 64 marks it ephemeral.</summary>
internal sealed record InteractionMessage(string Id, MessageFlags? Flags);

internal sealed record InteractionData(
    string? Name,
    IReadOnlyList<CommandOptionValue>? Options,
    string? CustomId,
    IReadOnlyList<string>? Values,
    IReadOnlyList<WireComponent>? Components);

internal sealed record CommandOptionValue(string Name, int Type, JsonElement? Value, IReadOnlyList<CommandOptionValue>? Options);

/// <summary>
/// A component in either direction: the adapter sends action rows, buttons, selects, labels and text inputs,
/// and reads text inputs back from a modal submit (in an action row, or in a label as the current format has it).
/// </summary>
internal sealed record WireComponent(
    ComponentType Type,
    string? CustomId = null,
    int? Style = null,
    string? Label = null,
    string? Placeholder = null,
    int? MinValues = null,
    int? MaxValues = null,
    IReadOnlyList<WireSelectOption>? Options = null,
    bool? Required = null,
    int? MaxLength = null,
    string? Value = null,
    IReadOnlyList<string>? Values = null,
    IReadOnlyList<WireComponent>? Components = null,
    WireComponent? Component = null);

internal sealed record WireSelectOption(string Label, string Value, string? Description = null);

internal sealed record AllowedMentions(IReadOnlyList<string> Parse)
{
    /// <summary>Nothing a survivor or volunteer writes may ping anyone.</summary>
    public static AllowedMentions None { get; } = new([]);
}

/// <summary>A message body (create, edit, follow-up, interaction response data) or a modal's data.</summary>
internal sealed record MessageBody(
    string? Content = null,
    MessageFlags? Flags = null,
    IReadOnlyList<WireComponent>? Components = null,
    AllowedMentions? AllowedMentions = null,
    string? CustomId = null,
    string? Title = null,
    string? Nonce = null,
    bool? EnforceNonce = null);

internal sealed record InteractionCallback(InteractionCallbackType Type, MessageBody? Data = null);

internal sealed record CreateDm(string RecipientId);

internal sealed record ApplicationCommand(
    string Name,
    string Description,
    ApplicationCommandType Type,
    IReadOnlyList<ApplicationCommandOption> Options,
    IReadOnlyList<InteractionContextType>? Contexts = null,
    IReadOnlyList<int>? IntegrationTypes = null,
    string? DefaultMemberPermissions = null);

internal sealed record ApplicationCommandOption(
    ApplicationCommandOptionType Type, string Name, string Description, bool Required, IReadOnlyList<CommandChoice>? Choices, long? MinValue = null);

internal sealed record CommandChoice(string Name, string Value);

/// <summary>A 429's body; without <c>retry_after</c> the <c>Retry-After</c> header decides.</summary>
internal sealed record RateLimitBody(string? Message, double? RetryAfter, bool Global);
