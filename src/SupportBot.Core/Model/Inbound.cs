namespace SupportBot.Core;

/// <summary>
/// Something a person did that the bot must answer. <see cref="EventId"/> is the platform's own id for the
/// delivery (gateway sequence, Slack envelope or event id) so that a redelivered event is handled once.
/// </summary>
public abstract record Inbound(Actor Actor, string EventId);

/// <summary>A slash command. <see cref="Args"/> are the options in the order the command's spec declares them.</summary>
public sealed record SlashCommand(Actor Actor, string EventId, string Name, IReadOnlyList<string> Args)
    : Inbound(Actor, EventId);

/// <summary>A message written to the bot in a direct message.</summary>
public sealed record DirectMessage(Actor Actor, string EventId, string Text) : Inbound(Actor, EventId);

/// <summary>A button press or a select choice. <see cref="Values"/> holds the chosen option values of a select.</summary>
public sealed record ActionInvoked(Actor Actor, string EventId, string ActionId, IReadOnlyList<string> Values)
    : Inbound(Actor, EventId);

/// <summary>A submitted form, its field values by field id.</summary>
public sealed record FormSubmitted(Actor Actor, string EventId, string FormId, IReadOnlyDictionary<string, string> Fields)
    : Inbound(Actor, EventId);
