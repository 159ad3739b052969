using System.Data;
using System.Security.Cryptography;
using Dapper;
using SupportBot.Core.Conversations;

namespace SupportBot.Core.Storage;

// The volunteer side of the store: claims with their transcript, release, close, focus, notes and the audit trail.
public sealed partial class ConversationStore
{
    /// <summary>
    /// Claims a waiting conversation and reads its transcript in one transaction: every message stored before the
    /// claim is in the transcript, every one after it sees the claim and is relayed. Nothing is written unless the
    /// whole conversation can be opened.
    /// </summary>
    public async Task<ClaimResult> ClaimAsync(long id, Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM Conversations WHERE Id = @id", new { id }, tx, cancellationToken: ct));
        if (row is null)
        {
            return new ClaimResult(ClaimOutcome.NotWaiting, null, []);
        }

        var conversation = TryOpen(row);
        var key = ids.Key(volunteer);
        if (conversation is null)
        {
            return new ClaimResult(ClaimOutcome.Unreadable, null, []);
        }

        if (conversation.Status == ConversationStatus.Claimed && row.ClaimedBy == key)
        {
            await SetFocusAsync(db, tx, volunteer, id, ct);
            await tx.CommitAsync(ct);
            return new ClaimResult(ClaimOutcome.AlreadyYours, conversation, []);
        }

        if (conversation.Status != ConversationStatus.Queued)
        {
            return new ClaimResult(conversation.Status == ConversationStatus.Claimed ? ClaimOutcome.Taken : ClaimOutcome.NotWaiting, conversation, []);
        }

        var transcript = await TryReadTranscriptAsync(db, tx, id, ct);
        if (transcript is null)
        {
            return new ClaimResult(ClaimOutcome.Unreadable, null, []);
        }

        var now = Now();
        var changed = await db.ExecuteAsync(new CommandDefinition(
            """
            UPDATE Conversations SET Status = 'Claimed', ClaimedBy = @key, ClaimedBySealed = @sealedAddress, ClaimedAt = @now
            WHERE Id = @id AND Status = 'Queued'
            """,
            new { id, key, sealedAddress = ids.Seal(volunteer), now }, tx, cancellationToken: ct));
        if (changed != 1)
        {
            return new ClaimResult(ClaimOutcome.Taken, conversation, []);
        }

        await AuditAsync(db, tx, id, volunteer, "claim", now, ct);
        await AuditAsync(db, tx, id, volunteer, "read-transcript", now, ct);
        await SetFocusAsync(db, tx, volunteer, id, ct);
        await tx.CommitAsync(ct);
        return new ClaimResult(ClaimOutcome.Claimed, conversation with { Status = ConversationStatus.Claimed, ClaimedBy = volunteer }, transcript);
    }

    /// <summary>Everything said and noted in a conversation, for the volunteer who holds it; the reading is audited.</summary>
    public async Task<IReadOnlyList<TranscriptEntry>> ReadTranscriptAsync(long id, Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        if (!await HoldsAsync(db, tx, id, volunteer, ct))
        {
            return [];
        }

        var transcript = await TryReadTranscriptAsync(db, tx, id, ct)
            ?? throw new CryptographicException($"Conversation {id} holds a message that cannot be decrypted.");
        await AuditAsync(db, tx, id, volunteer, "read-transcript", Now(), ct);
        await tx.CommitAsync(ct);
        return transcript;
    }

    private async Task<IReadOnlyList<TranscriptEntry>?> TryReadTranscriptAsync(IDbConnection db, IDbTransaction tx, long id, CancellationToken ct)
    {
        var messages = await db.QueryAsync<(string Sender, byte[] Body, long SentAt, long Id)>(new CommandDefinition(
            "SELECT Sender, Body, SentAt, Id FROM Messages WHERE ConversationId = @id", new { id }, tx, cancellationToken: ct));
        var notes = await db.QueryAsync<(byte[] Body, long WrittenAt, long Id)>(new CommandDefinition(
            "SELECT Body, WrittenAt, Id FROM Notes WHERE ConversationId = @id", new { id }, tx, cancellationToken: ct));
        try
        {
            return messages.Select(m => (Entry: new TranscriptEntry(m.Sender, cipher.Decrypt(m.Body, MessageContext(id)), FromUnix(m.SentAt)), m.Id))
                .Concat(notes.Select(n => (Entry: new TranscriptEntry("Note", cipher.Decrypt(n.Body, NoteContext(id)), FromUnix(n.WrittenAt)), n.Id)))
                .OrderBy(e => e.Entry.At).ThenBy(e => e.Id)
                .Select(e => e.Entry)
                .ToList();
        }
        catch (CryptographicException)
        {
            LogUnreadable(id);
            return null;
        }
    }

    /// <summary>Puts a held conversation back in the queue at its original place.</summary>
    public async Task<Conversation?> ReleaseAsync(long id, Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var args = new { id, volunteer = ids.Key(volunteer) };
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM Conversations WHERE Id = @id AND Status = 'Claimed' AND ClaimedBy = @volunteer", args, tx, cancellationToken: ct));
        if (row is null)
        {
            return null;
        }

        // Opened before the update: a row that cannot be decrypted throws here and nothing is committed.
        var conversation = Open(row);
        await db.ExecuteAsync(new CommandDefinition(
            "UPDATE Conversations SET Status = 'Queued', ClaimedBy = NULL, ClaimedBySealed = NULL, ClaimedAt = NULL WHERE Id = @id AND ClaimedBy = @volunteer",
            args, tx, cancellationToken: ct));
        await AuditAsync(db, tx, id, volunteer, "release", Now(), ct);
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM VolunteerFocus WHERE Volunteer = @volunteer AND ConversationId = @id", args, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return conversation with { Status = ConversationStatus.Queued, ClaimedBy = null };
    }

    /// <summary>Closes a conversation held by this volunteer.</summary>
    public async Task<Conversation?> CloseByVolunteerAsync(long id, Address volunteer, string outcome, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var conversation = await CloseAsync(db, tx, "Id = @id AND Status = 'Claimed' AND ClaimedBy = @volunteer",
            new { id, volunteer = ids.Key(volunteer), outcome, now = Now() }, ct);
        if (conversation is not null)
        {
            await AuditAsync(db, tx, id, volunteer, "close:" + outcome, Now(), ct);
        }

        await tx.CommitAsync(ct);
        return conversation;
    }

    public async Task<IReadOnlyList<Conversation>> HeldByAsync(Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<Row>(new CommandDefinition(
            HeldBySql, new { volunteer = ids.Key(volunteer) }, cancellationToken: ct));
        return rows.Select(TryOpen).OfType<Conversation>().ToList();
    }

    /// <summary>The conversation a volunteer's next direct message goes to, if they still hold it.</summary>
    public async Task<long?> GetFocusAsync(Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        return await db.ExecuteScalarAsync<long?>(new CommandDefinition(
            """
            SELECT f.ConversationId FROM VolunteerFocus f JOIN Conversations c ON c.Id = f.ConversationId
            WHERE f.Volunteer = @volunteer AND c.Status = 'Claimed' AND c.ClaimedBy = @volunteer
            """,
            new { volunteer = ids.Key(volunteer) }, cancellationToken: ct));
    }

    public async Task<bool> SetFocusAsync(Address volunteer, long id, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        if (!await HoldsAsync(db, tx, id, volunteer, ct))
        {
            return false;
        }

        await SetFocusAsync(db, tx, volunteer, id, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Saves a volunteer's note on a conversation they hold; audited.</summary>
    public async Task<bool> AddNoteAsync(long id, Address volunteer, string text, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        if (!await HoldsAsync(db, tx, id, volunteer, ct))
        {
            return false;
        }

        var now = Now();
        await db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO Notes (ConversationId, Volunteer, Body, WrittenAt) VALUES (@id, @volunteer, @body, @now)",
            new { id, volunteer = ids.Key(volunteer), body = cipher.Encrypt(text, NoteContext(id)), now }, tx, cancellationToken: ct));
        await AuditAsync(db, tx, id, volunteer, "note", now, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>The audit trail of one conversation, oldest first: (the volunteer's key, see <see cref="PersonIds.Key(Address)"/>, action).</summary>
    public async Task<IReadOnlyList<(string Volunteer, string Action)>> AuditTrailAsync(long id, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<(string Volunteer, string Action)>(new CommandDefinition(
            "SELECT Volunteer, Action FROM Audit WHERE ConversationId = @id ORDER BY Id", new { id }, cancellationToken: ct));
        return rows.ToList();
    }

    private async Task<bool> HoldsAsync(IDbConnection db, IDbTransaction tx, long id, Address volunteer, CancellationToken ct) =>
        await db.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM Conversations WHERE Id = @id AND Status = 'Claimed' AND ClaimedBy = @volunteer",
            new { id, volunteer = ids.Key(volunteer) }, tx, cancellationToken: ct)) == 1;

    private Task<int> AuditAsync(IDbConnection db, IDbTransaction tx, long id, Address volunteer, string action, long now, CancellationToken ct) =>
        db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO Audit (ConversationId, Volunteer, Action, At) VALUES (@id, @volunteer, @action, @now)",
            new { id, volunteer = ids.Key(volunteer), action, now }, tx, cancellationToken: ct));

    private Task<int> SetFocusAsync(IDbConnection db, IDbTransaction tx, Address volunteer, long id, CancellationToken ct) =>
        db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO VolunteerFocus (Volunteer, ConversationId) VALUES (@volunteer, @id) ON CONFLICT (Volunteer) DO UPDATE SET ConversationId = excluded.ConversationId",
            new { id, volunteer = ids.Key(volunteer) }, tx, cancellationToken: ct));
}
