using System.Data;
using Dapper;
using SupportBot.Core.Conversations;

namespace SupportBot.Core.Storage;

/// <summary>
/// Conversations, their encrypted messages and notes, the audit log and processed event ids, in SQLite.
/// Every change that a volunteer makes writes its audit row in the same transaction (invariant 8), and a
/// claim is a single conditional UPDATE, so two volunteers can never both win it (invariant 6).
/// </summary>
public sealed class ConversationStore(Database database, MessageCipher cipher, TimeProvider clock)
{
    private const string Columns = "Id, Survivor, Pseudonym, SharedName, Status, Priority, CreatedAt, QueuedAt, ClaimedBy";

    /// <summary>Records an event id; false when it was already recorded, so a redelivered event is handled once.</summary>
    public async Task<bool> TryMarkEventAsync(string eventId, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        var changed = await db.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO ProcessedEvents (EventId, At) VALUES (@eventId, @now)",
            new { eventId, now = Now() }, cancellationToken: ct)).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>Forgets an event id whose handling failed, so that the platform's retry is handled.</summary>
    public async Task UnmarkEventAsync(string eventId, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ProcessedEvents WHERE EventId = @eventId", new { eventId }, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<Conversation?> FindOpenAsync(Address survivor, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM Conversations WHERE Survivor = @survivor AND Status <> 'Closed' ORDER BY Id DESC LIMIT 1",
            new { survivor = survivor.ToString() }, cancellationToken: ct)).ConfigureAwait(false);
        return row is null ? null : ToConversation(row);
    }

    public async Task<Conversation?> GetAsync(long id, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM Conversations WHERE Id = @id", new { id }, cancellationToken: ct)).ConfigureAwait(false);
        return row is null ? null : ToConversation(row);
    }

    /// <summary>Starts a conversation awaiting the survivor's consent, with their first message, in one transaction.</summary>
    public async Task<Conversation> StartAsync(Address survivor, string pseudonym, Priority priority, string firstMessage, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        var now = Now();
        var id = await db.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO Conversations (Survivor, Pseudonym, Status, Priority, CreatedAt)
            VALUES (@survivor, @pseudonym, 'Consent', @priority, @now)
            RETURNING Id
            """,
            new { survivor = survivor.ToString(), pseudonym, priority = (int)priority, now }, tx, cancellationToken: ct)).ConfigureAwait(false);
        await InsertMessageAsync(db, tx, id, Sender.Survivor, firstMessage, now, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return new Conversation(id, survivor, pseudonym, null, ConversationStatus.Consent, priority, FromUnix(now), null, null);
    }

    /// <summary>Adds a message. A volunteer's message is written only while they hold the conversation, and is audited.</summary>
    public async Task<bool> AddMessageAsync(long id, Sender sender, string text, Address? volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (volunteer is not null && !await HoldsAsync(db, tx, id, volunteer, ct).ConfigureAwait(false))
        {
            return false;
        }

        var now = Now();
        await InsertMessageAsync(db, tx, id, sender, text, now, ct).ConfigureAwait(false);
        if (volunteer is not null)
        {
            await AuditAsync(db, tx, id, volunteer, "message", now, ct).ConfigureAwait(false);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Moves a conversation from consent to the queue. Only its survivor can, and only once.</summary>
    public async Task<Conversation?> EnqueueAsync(long id, Address survivor, string? sharedName, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        var changed = await db.ExecuteAsync(new CommandDefinition(
            """
            UPDATE Conversations SET Status = 'Queued', QueuedAt = @now, SharedName = @name
            WHERE Id = @id AND Survivor = @survivor AND Status = 'Consent'
            """,
            new
            {
                id,
                survivor = survivor.ToString(),
                now = Now(),
                name = sharedName is null ? null : cipher.Encrypt(sharedName, NameContext(id)),
            },
            cancellationToken: ct)).ConfigureAwait(false);
        return changed == 1 ? await GetAsync(id, ct).ConfigureAwait(false) : null;
    }

    public async Task RaisePriorityAsync(long id, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await db.ExecuteAsync(new CommandDefinition(
            "UPDATE Conversations SET Priority = @urgent WHERE Id = @id",
            new { id, urgent = (int)Priority.Urgent }, cancellationToken: ct)).ConfigureAwait(false);
    }

    /// <summary>Waiting conversations, urgent first, then the longest waiting.</summary>
    public async Task<IReadOnlyList<Conversation>> QueueAsync(CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        var rows = await db.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM Conversations WHERE Status = 'Queued' ORDER BY Priority DESC, QueuedAt, Id",
            cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(ToConversation).ToList();
    }

    /// <summary>Claims a waiting conversation. Null when it is not waiting (another volunteer won, or it closed).</summary>
    public async Task<Conversation?> ClaimAsync(long id, Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        var now = Now();
        var changed = await db.ExecuteAsync(new CommandDefinition(
            "UPDATE Conversations SET Status = 'Claimed', ClaimedBy = @volunteer, ClaimedAt = @now WHERE Id = @id AND Status = 'Queued'",
            new { id, volunteer = volunteer.ToString(), now }, tx, cancellationToken: ct)).ConfigureAwait(false);
        if (changed != 1)
        {
            return null;
        }

        await AuditAsync(db, tx, id, volunteer, "claim", now, ct).ConfigureAwait(false);
        await SetFocusAsync(db, tx, volunteer, id, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return await GetAsync(id, ct).ConfigureAwait(false);
    }

    /// <summary>Everything said and noted in a conversation, for the volunteer who holds it; the reading is audited.</summary>
    public async Task<IReadOnlyList<TranscriptEntry>> ReadTranscriptAsync(long id, Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (!await HoldsAsync(db, tx, id, volunteer, ct).ConfigureAwait(false))
        {
            return [];
        }

        var messages = await db.QueryAsync<(string Sender, byte[] Body, long SentAt, long Id)>(new CommandDefinition(
            "SELECT Sender, Body, SentAt, Id FROM Messages WHERE ConversationId = @id", new { id }, tx, cancellationToken: ct)).ConfigureAwait(false);
        var notes = await db.QueryAsync<(byte[] Body, long WrittenAt, long Id)>(new CommandDefinition(
            "SELECT Body, WrittenAt, Id FROM Notes WHERE ConversationId = @id", new { id }, tx, cancellationToken: ct)).ConfigureAwait(false);
        await AuditAsync(db, tx, id, volunteer, "read-transcript", Now(), ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);

        return messages.Select(m => (Entry: new TranscriptEntry(m.Sender, cipher.Decrypt(m.Body, MessageContext(id)), FromUnix(m.SentAt)), m.Id))
            .Concat(notes.Select(n => (Entry: new TranscriptEntry("Note", cipher.Decrypt(n.Body, NoteContext(id)), FromUnix(n.WrittenAt)), n.Id)))
            .OrderBy(e => e.Entry.At).ThenBy(e => e.Id)
            .Select(e => e.Entry)
            .ToList();
    }

    /// <summary>Puts a held conversation back in the queue at its original place.</summary>
    public async Task<Conversation?> ReleaseAsync(long id, Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        var now = Now();
        var changed = await db.ExecuteAsync(new CommandDefinition(
            "UPDATE Conversations SET Status = 'Queued', ClaimedBy = NULL, ClaimedAt = NULL WHERE Id = @id AND Status = 'Claimed' AND ClaimedBy = @volunteer",
            new { id, volunteer = volunteer.ToString() }, tx, cancellationToken: ct)).ConfigureAwait(false);
        if (changed != 1)
        {
            return null;
        }

        await AuditAsync(db, tx, id, volunteer, "release", now, ct).ConfigureAwait(false);
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM VolunteerFocus WHERE Volunteer = @volunteer AND ConversationId = @id",
            new { id, volunteer = volunteer.ToString() }, tx, cancellationToken: ct)).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return await GetAsync(id, ct).ConfigureAwait(false);
    }

    /// <summary>Closes a conversation held by this volunteer.</summary>
    public async Task<Conversation?> CloseByVolunteerAsync(long id, Address volunteer, string outcome, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        var conversation = await CloseAsync(db, tx, "Id = @id AND Status = 'Claimed' AND ClaimedBy = @volunteer",
            new { id, volunteer = volunteer.ToString(), outcome, now = Now() }, ct).ConfigureAwait(false);
        if (conversation is not null)
        {
            await AuditAsync(db, tx, id, volunteer, "close:" + outcome, Now(), ct).ConfigureAwait(false);
        }

        await tx.CommitAsync(ct).ConfigureAwait(false);
        return conversation;
    }

    /// <summary>Closes the survivor's open conversation, whatever its state. Returns it as it was before closing.</summary>
    public async Task<Conversation?> CloseBySurvivorAsync(Address survivor, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        var conversation = await CloseAsync(db, tx, "Survivor = @survivor AND Status <> 'Closed'",
            new { survivor = survivor.ToString(), outcome = "ended-by-survivor", now = Now() }, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return conversation;
    }

    /// <summary>Deletes a conversation that never left the consent step: the survivor chose not to share it.</summary>
    public async Task<bool> DeleteUnsharedAsync(long id, Address survivor, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        var changed = await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM Conversations WHERE Id = @id AND Survivor = @survivor AND Status = 'Consent'",
            new { id, survivor = survivor.ToString() }, cancellationToken: ct)).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task<IReadOnlyList<Conversation>> HeldByAsync(Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        var rows = await db.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM Conversations WHERE Status = 'Claimed' AND ClaimedBy = @volunteer ORDER BY ClaimedAt, Id",
            new { volunteer = volunteer.ToString() }, cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(ToConversation).ToList();
    }

    /// <summary>The conversation a volunteer's next direct message goes to, if they still hold it.</summary>
    public async Task<long?> GetFocusAsync(Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        return await db.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            SELECT f.ConversationId FROM VolunteerFocus f JOIN Conversations c ON c.Id = f.ConversationId
            WHERE f.Volunteer = @volunteer AND c.Status = 'Claimed' AND c.ClaimedBy = @volunteer
            """,
            new { volunteer = volunteer.ToString() }, cancellationToken: ct)).ConfigureAwait(false);
    }

    public async Task<bool> SetFocusAsync(Address volunteer, long id, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (!await HoldsAsync(db, tx, id, volunteer, ct).ConfigureAwait(false))
        {
            return false;
        }

        await SetFocusAsync(db, tx, volunteer, id, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Saves a volunteer's note on a conversation they hold; audited.</summary>
    public async Task<bool> AddNoteAsync(long id, Address volunteer, string text, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        if (!await HoldsAsync(db, tx, id, volunteer, ct).ConfigureAwait(false))
        {
            return false;
        }

        var now = Now();
        await db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO Notes (ConversationId, Volunteer, Body, WrittenAt) VALUES (@id, @volunteer, @body, @now)",
            new { id, volunteer = volunteer.ToString(), body = cipher.Encrypt(text, NoteContext(id)), now }, tx, cancellationToken: ct)).ConfigureAwait(false);
        await AuditAsync(db, tx, id, volunteer, "note", now, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Deletes every conversation this person started (with its messages and notes) and their own volunteer
    /// focus, in one transaction. Audit rows stay: they name a volunteer and a number, nothing of the person.
    /// </summary>
    public async Task<ForgetResult> ForgetAsync(Address person, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        var args = new { person = person.ToString() };
        var open = (await db.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM Conversations WHERE Survivor = @person AND Status IN ('Queued', 'Claimed')", args, tx, cancellationToken: ct)).ConfigureAwait(false))
            .Select(ToConversation).ToList();
        var messages = await db.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM Messages WHERE ConversationId IN (SELECT Id FROM Conversations WHERE Survivor = @person)", args, tx, cancellationToken: ct)).ConfigureAwait(false);
        var notes = await db.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM Notes WHERE ConversationId IN (SELECT Id FROM Conversations WHERE Survivor = @person)", args, tx, cancellationToken: ct)).ConfigureAwait(false);
        var conversations = await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM Conversations WHERE Survivor = @person", args, tx, cancellationToken: ct)).ConfigureAwait(false);
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM VolunteerFocus WHERE Volunteer = @person", args, tx, cancellationToken: ct)).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return new ForgetResult(conversations, messages, notes, open);
    }

    /// <summary>Deletes closed conversations older than the retention, abandoned consent steps and old event ids.</summary>
    public async Task<int> SweepAsync(DateTimeOffset closedBefore, DateTimeOffset unsharedBefore, DateTimeOffset eventsBefore, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        await using var tx = await db.BeginTransactionAsync(ct).ConfigureAwait(false);
        var deleted = await db.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM Conversations
            WHERE (Status = 'Closed' AND ClosedAt < @closedBefore) OR (Status = 'Consent' AND CreatedAt < @unsharedBefore)
            """,
            new { closedBefore = closedBefore.ToUnixTimeMilliseconds(), unsharedBefore = unsharedBefore.ToUnixTimeMilliseconds() },
            tx, cancellationToken: ct)).ConfigureAwait(false);
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ProcessedEvents WHERE At < @eventsBefore",
            new { eventsBefore = eventsBefore.ToUnixTimeMilliseconds() }, tx, cancellationToken: ct)).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>The audit trail of one conversation, oldest first: (volunteer, action).</summary>
    public async Task<IReadOnlyList<(Address Volunteer, string Action)>> AuditTrailAsync(long id, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct).ConfigureAwait(false);
        var rows = await db.QueryAsync<(string Volunteer, string Action)>(new CommandDefinition(
            "SELECT Volunteer, Action FROM Audit WHERE ConversationId = @id ORDER BY Id", new { id }, cancellationToken: ct)).ConfigureAwait(false);
        return rows.Select(r => (Address.Parse(r.Volunteer), r.Action)).ToList();
    }

    private async Task<Conversation?> CloseAsync(IDbConnection db, IDbTransaction tx, string where, object args, CancellationToken ct)
    {
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM Conversations WHERE {where} ORDER BY Id DESC LIMIT 1", args, tx, cancellationToken: ct)).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var parameters = new DynamicParameters(args);
        parameters.Add("closeId", row.Id);
        await db.ExecuteAsync(new CommandDefinition(
            "UPDATE Conversations SET Status = 'Closed', ClosedAt = @now, Outcome = @outcome WHERE Id = @closeId",
            parameters, tx, cancellationToken: ct)).ConfigureAwait(false);
        return ToConversation(row);
    }

    private static async Task<bool> HoldsAsync(IDbConnection db, IDbTransaction tx, long id, Address volunteer, CancellationToken ct) =>
        await db.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM Conversations WHERE Id = @id AND Status = 'Claimed' AND ClaimedBy = @volunteer",
            new { id, volunteer = volunteer.ToString() }, tx, cancellationToken: ct)).ConfigureAwait(false) == 1;

    private Task<int> InsertMessageAsync(IDbConnection db, IDbTransaction tx, long id, Sender sender, string text, long now, CancellationToken ct) =>
        db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO Messages (ConversationId, Sender, Body, SentAt) VALUES (@id, @sender, @body, @now)",
            new { id, sender = sender.ToString(), body = cipher.Encrypt(text, MessageContext(id)), now }, tx, cancellationToken: ct));

    private static Task<int> AuditAsync(IDbConnection db, IDbTransaction tx, long id, Address volunteer, string action, long now, CancellationToken ct) =>
        db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO Audit (ConversationId, Volunteer, Action, At) VALUES (@id, @volunteer, @action, @now)",
            new { id, volunteer = volunteer.ToString(), action, now }, tx, cancellationToken: ct));

    private static Task<int> SetFocusAsync(IDbConnection db, IDbTransaction tx, Address volunteer, long id, CancellationToken ct) =>
        db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO VolunteerFocus (Volunteer, ConversationId) VALUES (@volunteer, @id) ON CONFLICT (Volunteer) DO UPDATE SET ConversationId = excluded.ConversationId",
            new { id, volunteer = volunteer.ToString() }, tx, cancellationToken: ct));

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnix(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static string MessageContext(long id) => $"message:{id}";

    private static string NoteContext(long id) => $"note:{id}";

    private static string NameContext(long id) => $"name:{id}";

    private Conversation ToConversation(Row row) => new(
        row.Id,
        Address.Parse(row.Survivor),
        row.Pseudonym,
        row.SharedName is null ? null : cipher.Decrypt(row.SharedName, NameContext(row.Id)),
        Enum.Parse<ConversationStatus>(row.Status),
        (Priority)row.Priority,
        FromUnix(row.CreatedAt),
        row.QueuedAt is { } queued ? FromUnix(queued) : null,
        row.ClaimedBy is null ? null : Address.Parse(row.ClaimedBy));

    // Column names match the properties so Dapper maps without configuration.
    private sealed record Row(
        long Id, string Survivor, string Pseudonym, byte[]? SharedName, string Status, long Priority, long CreatedAt, long? QueuedAt, string? ClaimedBy);
}
