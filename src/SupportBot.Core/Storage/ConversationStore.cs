using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Logging;
using SupportBot.Core.Conversations;

namespace SupportBot.Core.Storage;

/// <summary>
/// Conversations, their encrypted messages and notes, the audit log and processed event ids, in SQLite or PostgreSQL.
/// Every change that a volunteer makes writes its audit row in the same transaction (invariant 8), and a
/// claim is a single conditional UPDATE, so two volunteers can never both win it (invariant 6). People are
/// stored by a keyed hash of their platform id, with the address sealed where the bot must write to them.
/// A row that cannot be decrypted is left out of lists and refused by actions, never half-applied.
/// </summary>
public sealed partial class ConversationStore(Database database, MessageCipher cipher, PersonIds ids, TimeProvider clock, ILogger<ConversationStore> logger)
{
    /// <summary>Rows the retention sweep deletes per transaction.</summary>
    internal const int SweepBatch = 200;

    private const string Columns = "Id, Survivor, SurvivorSealed, Pseudonym, SharedName, Status, Priority, CreatedAt, QueuedAt, ClaimedBy, ClaimedBySealed";

    // The hot reads, named so a test can ask SQLite how it runs them (index use, no temporary sorts).
    internal const string QueueSql = $"SELECT {Columns} FROM Conversations WHERE Status = 'Queued' ORDER BY Priority DESC, QueuedAt, Id";

    internal const string HeldBySql = $"SELECT {Columns} FROM Conversations WHERE Status = 'Claimed' AND ClaimedBy = @volunteer ORDER BY ClaimedAt, Id";

    // Everyone waiting at this priority or above (QueueCounts), less those of the same priority queued after it: the
    // position is asked for just after joining, when next to nobody is behind, so it costs a few index steps.
    internal const string QueuePositionSql = """
        SELECT (SELECT CAST(COALESCE(SUM(Waiting), 0) AS BIGINT) FROM QueueCounts WHERE Priority >= c.Priority)
             - (SELECT COUNT(*) FROM Conversations WHERE Status = 'Queued' AND Priority = c.Priority AND (QueuedAt, Id) > (c.QueuedAt, c.Id))
        FROM Conversations c WHERE c.Id = @Id AND c.Status = 'Queued'
        """;

    private const string HeldCountSql = "SELECT COUNT(*) FROM Conversations WHERE Status = 'Claimed' AND ClaimedBy = @Volunteer";

    public async Task<Conversation?> FindOpenAsync(Address survivor, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM Conversations WHERE Survivor = @survivor AND Status <> 'Closed' ORDER BY Id DESC LIMIT 1",
            new { survivor = ids.Key(survivor), ct });
        return row is null ? null : TryOpen(row);
    }

    public async Task<Conversation?> GetAsync(long id, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM Conversations WHERE Id = @id", new { id, ct });
        return row is null ? null : TryOpen(row);
    }

    /// <summary>A conversation read inside the caller's transaction; null when there is none or it cannot be read (logged by number).</summary>
    internal Conversation? Read(IDbConnection db, IDbTransaction tx, long id)
    {
        var row = db.QuerySingleOrDefault<Row>($"SELECT {Columns} FROM Conversations WHERE Id = @Id", new ConversationIdRow(id), tx);
        return row is null ? null : TryOpen(row);
    }

    /// <summary>
    /// Stores a survivor's direct message: into their open conversation, or a new one awaiting consent. The open
    /// conversation is read and the message written in one write transaction, so a claim committing at the same
    /// moment either comes first (and the message is relayed) or after (and its transcript holds the message).
    /// An urgent message raises an open conversation's priority in the same transaction; the conversation is
    /// returned as it was before, so the caller still sees that it was raised.
    /// </summary>
    public Task<SurvivorWrite> AddFromSurvivorAsync(Address survivor, string text, string pseudonym, Priority priority, CancellationToken ct) =>
        database.WriteAsync(AddFromSurvivor(survivor, text, pseudonym, priority), ct);

    /// <summary>
    /// The work of <see cref="AddFromSurvivorAsync"/>, for a write that composes its replies in the same transaction
    /// (<see cref="OutboxStore.WriteAsync"/>); it also counts the conversations of the volunteer holding a claimed one.
    /// </summary>
    internal Func<DbConnection, DbTransaction, SurvivorWrite> AddFromSurvivor(Address survivor, string text, string pseudonym, Priority priority)
    {
        var key = ids.Key(survivor);
        var lockPerson = database.Cluster.LockPerson;
        return (db, tx) =>
        {
            if (lockPerson is not null)
            {
                // Another process may be handling this person's previous message right now: one opens the conversation.
                db.ExecuteScalar(lockPerson, new { key }, tx);
            }

            var row = db.QuerySingleOrDefault<Row>(
                $"SELECT {Columns} FROM Conversations WHERE Survivor = @key AND Status <> 'Closed' ORDER BY Id DESC LIMIT 1", new { key }, tx);
            var now = Now();
            if (row is not null)
            {
                var open = Open(row);
                InsertMessage(db, tx, open.Id, Sender.Survivor, text, now);
                if (priority > open.Priority)
                {
                    RaisePriority(db, tx, open.Id);
                }

                return new SurvivorWrite(open, Started: false) { VolunteerHolds = row.ClaimedBy is { } holder ? HeldCount(db, tx, new VolunteerKeyRow(holder)) : 0 };
            }

            var id = db.ExecuteScalar<long>(
                """
                INSERT INTO Conversations (Survivor, SurvivorSealed, Pseudonym, Status, Priority, CreatedAt)
                VALUES (@key, @sealedAddress, @pseudonym, 'Consent', @priority, @now)
                RETURNING Id
                """,
                new { key, sealedAddress = ids.Seal(survivor), pseudonym, priority = (int)priority, now }, tx);
            InsertMessage(db, tx, id, Sender.Survivor, text, now);
            return new SurvivorWrite(new Conversation(id, survivor, pseudonym, null, ConversationStatus.Consent, priority, FromUnix(now), null, null), Started: true);
        };
    }

    // Named rows, each call in a method of its own: what Dapper.AOT generates at build time (README "Native AOT").
    private static int HeldCount(IDbConnection db, IDbTransaction tx, VolunteerKeyRow volunteer) =>
        (int)db.ExecuteScalar<long>(HeldCountSql, volunteer, tx);

    private static int QueuePosition(IDbConnection db, IDbTransaction tx, ConversationIdRow conversation) =>
        (int)(db.ExecuteScalar<long?>(QueuePositionSql, conversation, tx) ?? 0);

    /// <summary>Adds a message. A volunteer's message is written only while they hold the conversation, and is audited.</summary>
    public Task<bool> AddMessageAsync(long id, Sender sender, string text, Address? volunteer, CancellationToken ct) =>
        database.WriteAsync(AddMessage(id, sender, text, volunteer), ct);

    /// <summary>The work of <see cref="AddMessageAsync"/>, for a write that composes its replies in the same transaction.</summary>
    internal Func<DbConnection, DbTransaction, bool> AddMessage(long id, Sender sender, string text, Address? volunteer) =>
        (db, tx) =>
        {
            if (volunteer is not null && !Holds(db, tx, id, volunteer))
            {
                return false;
            }

            var now = Now();
            InsertMessage(db, tx, id, sender, text, now);
            if (volunteer is not null)
            {
                Audit(db, tx, id, volunteer, "message", now);
            }

            return true;
        };

    /// <summary>Moves a conversation from consent to the queue. Only its survivor can, and only once.</summary>
    public async Task<Conversation?> EnqueueAsync(long id, Address survivor, string? sharedName, CancellationToken ct) =>
        (await database.WriteAsync(Enqueue(id, survivor, sharedName), ct))?.Conversation;

    /// <summary>
    /// The work of <see cref="EnqueueAsync"/>, with the conversation's place in the queue read in the same transaction
    /// (as <see cref="QueuePositionAsync"/> counts it), for a write that composes its replies with it.
    /// </summary>
    internal Func<DbConnection, DbTransaction, Queued?> Enqueue(long id, Address survivor, string? sharedName)
    {
        var args = new { id, survivor = ids.Key(survivor), now = Now(), name = sharedName is null ? null : cipher.Encrypt(sharedName, NameContext(id)) };
        return (db, tx) =>
        {
            var row = db.QuerySingleOrDefault<Row>(
                $"SELECT {Columns} FROM Conversations WHERE Id = @id AND Survivor = @survivor AND Status = 'Consent'", args, tx);
            if (row is null)
            {
                return null;
            }

            // Opened before the update: a row that cannot be decrypted throws here and nothing is committed.
            var conversation = Open(row);
            db.Execute("UPDATE Conversations SET Status = 'Queued', QueuedAt = @now, SharedName = @name WHERE Id = @id AND Status = 'Consent'", args, tx);
            return new Queued(
                conversation with { Status = ConversationStatus.Queued, QueuedAt = FromUnix(args.now), SharedName = sharedName },
                QueuePosition(db, tx, new ConversationIdRow(id)));
        };
    }

    public Task RaisePriorityAsync(long id, CancellationToken ct) =>
        database.WriteAsync((db, tx) => RaisePriority(db, tx, id), ct);

    /// <summary>Waiting conversations, urgent first, then the longest waiting.</summary>
    public async Task<IReadOnlyList<Conversation>> QueueAsync(CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        #pragma warning disable DAP018 // The token is the only member: Dapper.AOT 1.0.48 calls it an unused SQL parameter and does not pass it on, so a short statement runs to its end once started.
        var rows = await db.QueryAsync<Row>(
            QueueSql, new { ct });
        #pragma warning restore DAP018
        return rows.Select(TryOpen).OfType<Conversation>().ToList();
    }

    /// <summary>
    /// Where a waiting conversation stands in <see cref="QueueAsync"/>'s order (1 = next), or 0 when it is not waiting.
    /// It costs the number queued behind it, not the number ahead (see <see cref="QueuePositionSql"/>).
    /// </summary>
    public async Task<int> QueuePositionAsync(long id, CancellationToken ct)
    {
        await using var db = await database.OpenReaderAsync(ct);
        return (int)(await db.ExecuteScalarAsync<long?>(
            QueuePositionSql,
            new { Id = id, ct }) ?? 0);
    }

    /// <summary>Closes the survivor's open conversation, whatever its state. Returns it as it was before closing.</summary>
    public async Task<Conversation?> CloseBySurvivorAsync(Address survivor, CancellationToken ct) =>
        (await database.WriteAsync(CloseBySurvivor(survivor), ct))?.Conversation;

    /// <summary>
    /// The work of <see cref="CloseBySurvivorAsync"/>, with whether the close deleted the words (keep-nothing) read in the
    /// same transaction, for a write that composes its replies with it.
    /// </summary>
    internal Func<DbConnection, DbTransaction, Closed?> CloseBySurvivor(Address survivor)
    {
        var args = new { survivor = ids.Key(survivor), outcome = "ended-by-survivor", now = Now() };
        return (db, tx) =>
        {
            var conversation = Close(
                db, tx,
                db.QuerySingleOrDefault<Row>($"SELECT {Columns} FROM Conversations WHERE Survivor = @survivor AND Status <> 'Closed' ORDER BY Id DESC LIMIT 1", args, tx),
                args.outcome, args.now);
            return conversation is null ? null : new Closed(conversation, KeepNothingStore.IsChosen(db, tx, new ConversationIdRow(conversation.Id)));
        };
    }

    /// <summary>Deletes a conversation that never left the consent step: the survivor chose not to share it.</summary>
    public Task<bool> DeleteUnsharedAsync(long id, Address survivor, CancellationToken ct)
    {
        var args = new { id, survivor = ids.Key(survivor) };
        return database.WriteAsync(
            (db, tx) => db.Execute("DELETE FROM Conversations WHERE Id = @id AND Survivor = @survivor AND Status = 'Consent'", args, tx) == 1, ct);
    }

    // The caller reads the row, so that Dapper.AOT sees the type of its parameters.
    private Conversation? Close(IDbConnection db, IDbTransaction tx, Row? row, string outcome, long now)
    {
        if (row is null)
        {
            return null;
        }

        db.Execute("UPDATE Conversations SET Status = 'Closed', ClosedAt = @now, Outcome = @outcome WHERE Id = @closeId", new { now, outcome, closeId = row.Id }, tx);
        KeepNothingStore.Purge(db, tx, row.Id);
        return Open(row);
    }

    private void InsertMessage(IDbConnection db, IDbTransaction tx, long id, Sender sender, string text, long now) =>
        db.Execute(
            "INSERT INTO Messages (ConversationId, Sender, Body, SentAt) VALUES (@id, @sender, @body, @now)",
            new { id, sender = sender.ToString(), body = cipher.Encrypt(text, MessageContext(id)), now }, tx);

    private static int RaisePriority(IDbConnection db, IDbTransaction tx, long id) =>
        db.Execute("UPDATE Conversations SET Priority = @urgent WHERE Id = @id", new { id, urgent = (int)Priority.Urgent }, tx);

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnix(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static string MessageContext(long id) => $"message:{id}";

    private static string NoteContext(long id) => $"note:{id}";

    private static string NameContext(long id) => $"name:{id}";

    /// <summary>The conversation of a row, or null (logged with its number only) when a sealed part cannot be opened.</summary>
    private Conversation? TryOpen(Row row)
    {
        try
        {
            return Open(row);
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            LogUnreadable(row.Id);
            return null;
        }
    }

    private Conversation Open(Row row) => new(
        row.Id,
        ids.Open(row.SurvivorSealed ?? throw new CryptographicException("The survivor's address is missing."), row.Survivor),
        row.Pseudonym,
        row.SharedName is null ? null : cipher.Decrypt(row.SharedName, NameContext(row.Id)),
        Enum.Parse<ConversationStatus>(row.Status),
        (Priority)row.Priority,
        FromUnix(row.CreatedAt),
        row.QueuedAt is { } queued ? FromUnix(queued) : null,
        row.ClaimedBy is null ? null : ids.Open(row.ClaimedBySealed ?? throw new CryptographicException("The volunteer's address is missing."), row.ClaimedBy));

    [LoggerMessage(Level = LogLevel.Error, Message = "Conversation {ConversationId} holds data that cannot be decrypted; it is left out and left unchanged")]
    private partial void LogUnreadable(long conversationId);

    // Column names match the properties so Dapper maps without configuration.
    internal sealed record Row(
        long Id, string Survivor, byte[]? SurvivorSealed, string Pseudonym, byte[]? SharedName, string Status, long Priority, long CreatedAt,
        long? QueuedAt, string? ClaimedBy, byte[]? ClaimedBySealed);
}
