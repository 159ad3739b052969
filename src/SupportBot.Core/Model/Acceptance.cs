namespace SupportBot.Core;

/// <summary>What <see cref="Bot.AcceptAsync"/> did with an event: stored it (acknowledge and handle it) or had it already (acknowledge only).</summary>
public enum Acceptance
{
    Stored,
    Duplicate,
}
