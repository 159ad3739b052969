using SupportBot.Core;

namespace SupportBot.Slack;

/// <summary>Where an event came from, so the actor's private answer can be given in place.</summary>
internal sealed record SlackContext(Actor Actor, string? ResponseUrl, string? TriggerId, string? ChannelId)
{
    public bool InDirectMessage => ChannelId?.StartsWith('D') == true;

    /// <summary>Whether the message the interaction came from was ephemeral (container.is_ephemeral).</summary>
    public bool OriginalIsEphemeral { get; init; }

    /// <summary>Only the actor sees the original message, so replacing it shows no one else anything.</summary>
    public bool OriginalIsPrivate => OriginalIsEphemeral || InDirectMessage;

    public bool CanAnswerInPlace => ResponseUrl is not null || TriggerId is not null;

    public bool IsActor(Reply reply) => reply.Audience is Audience.OnlyActor only && only.User == Actor.Address;
}
