namespace SupportBot.Core.Storage;

// Rows that were value tuples: Dapper.AOT generates readers for named types only, and a record struct keeps what a
// tuple gave, a default value (null reference members) when no row matched. Columns are bound by name.

/// <summary>The survivor's open conversation that a block closes (<see cref="BlockStore"/>).</summary>
internal readonly record struct BlockedConversationRow(long Id, string Status, string? ClaimedBy, byte[]? ClaimedBySealed);

/// <summary>An active block on a conversation or its survivor (<see cref="BlockStore"/>).</summary>
internal readonly record struct BlockRow(long Id, string BlockedBy);

/// <summary>A block still in force, for the list of blocks (<see cref="BlockStore"/>).</summary>
internal readonly record struct ActiveBlockRow(long Id, long ConversationId, byte[]? BlockedByName, byte[]? Reason, long Until);

/// <summary>What <c>PRAGMA wal_checkpoint</c> answers.</summary>
internal readonly record struct CheckpointRow(long Busy, long Log, long Checkpointed);

/// <summary>One sealed message, to check the key against the database.</summary>
internal readonly record struct SealedMessageRow(long ConversationId, byte[] Body);

/// <summary>A conversation whose people are still stored in plain text (migration 3).</summary>
internal readonly record struct PlainPersonRow(long Id, string Survivor, string? ClaimedBy);

/// <summary>A complaint draft (<see cref="DraftStore"/>).</summary>
internal readonly record struct DraftRow(string Step, byte[] Answers, long Kept, long UpdatedAt);

/// <summary>A transfer offered to a volunteer, with the conversation's holder (<see cref="TransferStore"/>).</summary>
internal readonly record struct TransferOfferRow(string FromVolunteer, byte[]? ClaimedBySealed);

/// <summary>Who holds a conversation that was offered (<see cref="TransferStore"/>).</summary>
internal readonly record struct TransferHolderRow(string? ClaimedBy, byte[]? ClaimedBySealed);

/// <summary>A sealed message of a transcript.</summary>
internal readonly record struct TranscriptMessageRow(string Sender, byte[] Body, long SentAt, long Id);

/// <summary>A sealed note of a transcript.</summary>
internal readonly record struct TranscriptNoteRow(byte[] Body, long WrittenAt, long Id);

/// <summary>One line of a conversation's audit trail.</summary>
internal readonly record struct AuditRow(string Volunteer, string Action);

/// <summary>A conversation's times, for the statistics (<see cref="StatsStore"/>).</summary>
internal readonly record struct StatsRow(string Status, string? Outcome, long QueuedAt, long? ClaimedAt, long? FirstReply);

/// <summary>How many conversations wait at one priority (the queue gauge).</summary>
internal readonly record struct QueueCountRow(long Priority, long Count);

/// <summary>An outbox row to insert (<see cref="OutboxStore"/>): a reply, sealed, and the conversation it belongs to, if any.</summary>
internal readonly record struct OutboxInsertRow(string Platform, byte[] Payload, long Now, string Owner, long Until, long? ConversationId);

/// <summary>A volunteer's keyed hash, to count what they hold (<see cref="ConversationStore"/>).</summary>
internal readonly record struct VolunteerKeyRow(string Volunteer);

/// <summary>A conversation's number, as a statement's parameter (<see cref="ConversationStore"/>).</summary>
internal readonly record struct ConversationIdRow(long Id);
