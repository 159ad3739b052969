namespace SupportBot.Core.Conversations;

public enum ConversationStatus
{
    /// <summary>The survivor wrote but has not yet chosen whether a volunteer may read it. Volunteers never see it.</summary>
    Consent,
    Queued,
    Claimed,
    Closed,
}

public enum Priority
{
    Normal = 0,
    Urgent = 1,
}

public enum Sender
{
    Survivor,
    Volunteer,
}

/// <summary>A survivor's conversation with the volunteers. <see cref="SharedName"/> is set only if they chose to share it.</summary>
public sealed record Conversation(
    long Id,
    Address Survivor,
    string Pseudonym,
    string? SharedName,
    ConversationStatus Status,
    Priority Priority,
    DateTimeOffset CreatedAt,
    DateTimeOffset? QueuedAt,
    Address? ClaimedBy)
{
    /// <summary>How volunteers know the survivor: their name if they shared it, else the pseudonym.</summary>
    public string KnownAs => SharedName ?? Pseudonym;
}

/// <summary>One line of what volunteers see after a claim: a message either way, or a volunteer's note.</summary>
public sealed record TranscriptEntry(string Kind, string Text, DateTimeOffset At);

/// <summary>What /forget deleted, and the conversations whose volunteer must be told.</summary>
public sealed record ForgetResult(int Conversations, int Messages, int Notes, int Drafts, IReadOnlyList<Conversation> WereOpen);

/// <summary>Where a survivor's message was stored: their open conversation as that same transaction saw it, or a new one.</summary>
public sealed record SurvivorWrite(Conversation Conversation, bool Started)
{
    /// <summary>How many conversations the volunteer holding a claimed one holds, as the same transaction saw it; else 0.</summary>
    public int VolunteerHolds { get; init; }
}

/// <summary>A conversation a volunteer just closed, and whether that close deleted its words (keep-nothing), as its own transaction saw it.</summary>
public sealed record Closed(Conversation Conversation, bool KeptNothing);

/// <summary>A conversation handed to a new volunteer (a transfer accepted), and its transcript, as that transaction read them.</summary>
public sealed record Handed(Conversation Conversation, IReadOnlyList<TranscriptEntry> Transcript);

/// <summary>A conversation just queued, and its place in the queue (1 = next) as the enqueue's own transaction saw it.</summary>
public sealed record Queued(Conversation Conversation, int Position);

public enum ClaimOutcome
{
    Claimed,
    AlreadyYours,
    Taken,
    NotWaiting,

    /// <summary>Part of the conversation cannot be decrypted; nothing was changed.</summary>
    Unreadable,
}

/// <summary>How a claim ended; on <see cref="ClaimOutcome.Claimed"/>, the transcript read in the claim's own transaction.</summary>
public sealed record ClaimResult(ClaimOutcome Outcome, Conversation? Conversation, IReadOnlyList<TranscriptEntry> Transcript);
