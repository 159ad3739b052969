using System.Data;
using System.Data.Common;
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
    public Task<ClaimResult> ClaimAsync(long id, Address volunteer, CancellationToken ct) =>
        database.WriteAsync(Claim(id, volunteer), ct);

    /// <summary>The work of <see cref="ClaimAsync"/>, for a write that composes its replies in the same transaction.</summary>
    internal Func<DbConnection, DbTransaction, ClaimResult> Claim(long id, Address volunteer)
    {
        var key = ids.Key(volunteer);
        return (db, tx) =>
        {
            var row = db.QuerySingleOrDefault<Row>($"SELECT {Columns} FROM Conversations WHERE Id = @id", new { id }, tx);
            if (row is null)
            {
                return new ClaimResult(ClaimOutcome.NotWaiting, null, []);
            }

            var conversation = TryOpen(row);
            if (conversation is null)
            {
                return new ClaimResult(ClaimOutcome.Unreadable, null, []);
            }

            if (conversation.Status == ConversationStatus.Claimed && row.ClaimedBy == key)
            {
                SetFocus(db, tx, volunteer, id);
                return new ClaimResult(ClaimOutcome.AlreadyYours, conversation, []);
            }

            if (conversation.Status != ConversationStatus.Queued)
            {
                return new ClaimResult(conversation.Status == ConversationStatus.Claimed ? ClaimOutcome.Taken : ClaimOutcome.NotWaiting, conversation, []);
            }

            var transcript = TryReadTranscript(db, tx, id);
            if (transcript is null)
            {
                return new ClaimResult(ClaimOutcome.Unreadable, null, []);
            }

            var now = Now();
            var changed = db.Execute(
                """
                UPDATE Conversations SET Status = 'Claimed', ClaimedBy = @key, ClaimedBySealed = @sealedAddress, ClaimedAt = @now
                WHERE Id = @id AND Status = 'Queued'
                """,
                new { id, key, sealedAddress = ids.Seal(volunteer), now }, tx);
            if (changed != 1)
            {
                return new ClaimResult(ClaimOutcome.Taken, conversation, []);
            }

            Audit(db, tx, id, volunteer, "claim", now);
            Audit(db, tx, id, volunteer, "read-transcript", now);
            SetFocus(db, tx, volunteer, id);
            return new ClaimResult(ClaimOutcome.Claimed, conversation with { Status = ConversationStatus.Claimed, ClaimedBy = volunteer }, transcript);
        };
    }

    /// <summary>Everything said and noted in a conversation, for the volunteer who holds it; the reading is audited.</summary>
    public Task<IReadOnlyList<TranscriptEntry>> ReadTranscriptAsync(long id, Address volunteer, CancellationToken ct) =>
        database.WriteAsync<IReadOnlyList<TranscriptEntry>>((db, tx) =>
        {
            if (!Holds(db, tx, id, volunteer))
            {
                return [];
            }

            var transcript = TryReadTranscript(db, tx, id)
                ?? throw new CryptographicException($"Conversation {id} holds a message that cannot be decrypted.");
            Audit(db, tx, id, volunteer, "read-transcript", Now());
            return transcript;
        }, ct);

    /// <summary>
    /// The conversation and its transcript for the volunteer who just took it over (a transfer's acceptance), within the
    /// caller's transaction, so the acceptance, the audited reading and the replies composed from them commit together.
    /// Null when the conversation cannot be opened; throws, undoing the acceptance, when a message cannot be decrypted.
    /// </summary>
    internal Handed? ReadForNewHolder(DbConnection db, DbTransaction tx, long id, Address volunteer)
    {
        var row = db.QuerySingleOrDefault<Row>($"SELECT {Columns} FROM Conversations WHERE Id = @id", new { id }, tx);
        if (row is null || TryOpen(row) is not { } conversation)
        {
            return null;
        }

        var transcript = TryReadTranscript(db, tx, id)
            ?? throw new CryptographicException($"Conversation {id} holds a message that cannot be decrypted.");
        Audit(db, tx, id, volunteer, "read-transcript", Now());
        return new Handed(conversation, transcript);
    }

    private List<TranscriptEntry>? TryReadTranscript(IDbConnection db, IDbTransaction tx, long id)
    {
        var messages = db.Query<TranscriptMessageRow>(
            "SELECT Sender, Body, SentAt, Id FROM Messages WHERE ConversationId = @id", new { id }, tx);
        var notes = db.Query<TranscriptNoteRow>(
            "SELECT Body, WrittenAt, Id FROM Notes WHERE ConversationId = @id", new { id }, tx);
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
    public Task<Conversation?> ReleaseAsync(long id, Address volunteer, CancellationToken ct) =>
        database.WriteAsync(Release(id, volunteer), ct);

    /// <summary>The work of <see cref="ReleaseAsync"/>, for a write that composes its replies in the same transaction.</summary>
    internal Func<DbConnection, DbTransaction, Conversation?> Release(long id, Address volunteer)
    {
        var args = new { id, volunteer = ids.Key(volunteer) };
        return (db, tx) =>
        {
            var row = db.QuerySingleOrDefault<Row>(
                $"SELECT {Columns} FROM Conversations WHERE Id = @id AND Status = 'Claimed' AND ClaimedBy = @volunteer", args, tx);
            if (row is null)
            {
                return null;
            }

            // Opened before the update: a row that cannot be decrypted throws here and nothing is committed.
            var conversation = Open(row);
            db.Execute(
                "UPDATE Conversations SET Status = 'Queued', ClaimedBy = NULL, ClaimedBySealed = NULL, ClaimedAt = NULL WHERE Id = @id AND ClaimedBy = @volunteer",
                args, tx);
            Audit(db, tx, id, volunteer, "release", Now());
            db.Execute("DELETE FROM VolunteerFocus WHERE Volunteer = @volunteer AND ConversationId = @id", args, tx);
            return conversation with { Status = ConversationStatus.Queued, ClaimedBy = null };
        };
    }

    /// <summary>Closes a conversation held by this volunteer.</summary>
    public async Task<Conversation?> CloseByVolunteerAsync(long id, Address volunteer, string outcome, CancellationToken ct) =>
        (await database.WriteAsync(CloseByVolunteer(id, volunteer, outcome), ct))?.Conversation;

    /// <summary>
    /// The work of <see cref="CloseByVolunteerAsync"/>, with whether the close deleted the words (keep-nothing) read in
    /// the same transaction, for a write that composes its replies with it.
    /// </summary>
    internal Func<DbConnection, DbTransaction, Closed?> CloseByVolunteer(long id, Address volunteer, string outcome)
    {
        var args = new { id, volunteer = ids.Key(volunteer), outcome, now = Now() };
        return (db, tx) =>
        {
            var conversation = Close(
                db, tx,
                db.QuerySingleOrDefault<Row>($"SELECT {Columns} FROM Conversations WHERE Id = @id AND Status = 'Claimed' AND ClaimedBy = @volunteer ORDER BY Id DESC LIMIT 1", args, tx),
                args.outcome, args.now);
            if (conversation is null)
            {
                return null;
            }

            Audit(db, tx, id, volunteer, "close:" + outcome, args.now);
            return new Closed(conversation, KeepNothingStore.IsChosen(db, tx, new ConversationIdRow(id)));
        };
    }

    public async Task<IReadOnlyList<Conversation>> HeldByAsync(Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<Row>(
            HeldBySql, new { volunteer = ids.Key(volunteer), ct });
        return rows.Select(TryOpen).OfType<Conversation>().ToList();
    }

    /// <summary>The conversation a volunteer's next direct message goes to, if they still hold it.</summary>
    public async Task<long?> GetFocusAsync(Address volunteer, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        return await db.ExecuteScalarAsync<long?>(
            """
            SELECT f.ConversationId FROM VolunteerFocus f JOIN Conversations c ON c.Id = f.ConversationId
            WHERE f.Volunteer = @volunteer AND c.Status = 'Claimed' AND c.ClaimedBy = @volunteer
            """,
            new { volunteer = ids.Key(volunteer), ct });
    }

    /// <summary>Sends the volunteer's next direct messages to conversation <paramref name="id"/>; false when they do not hold it.</summary>
    public Task<bool> SetFocusAsync(Address volunteer, long id, CancellationToken ct) =>
        database.WriteAsync(Focus(volunteer, id), ct);

    /// <summary>The work of <see cref="SetFocusAsync"/>, for a write that relays the message written before the choice with it.</summary>
    internal Func<DbConnection, DbTransaction, bool> Focus(Address volunteer, long id) =>
        (db, tx) =>
        {
            if (!Holds(db, tx, id, volunteer))
            {
                return false;
            }

            SetFocus(db, tx, volunteer, id);
            return true;
        };

    /// <summary>Saves a volunteer's note on a conversation they hold; audited.</summary>
    public Task<bool> AddNoteAsync(long id, Address volunteer, string text, CancellationToken ct) =>
        database.WriteAsync((db, tx) =>
        {
            if (!Holds(db, tx, id, volunteer))
            {
                return false;
            }

            var now = Now();
            db.Execute(
                "INSERT INTO Notes (ConversationId, Volunteer, Body, WrittenAt) VALUES (@id, @volunteer, @body, @now)",
                new { id, volunteer = ids.Key(volunteer), body = cipher.Encrypt(text, NoteContext(id)), now }, tx);
            Audit(db, tx, id, volunteer, "note", now);
            return true;
        }, ct);

    /// <summary>The audit trail of one conversation, oldest first: (the volunteer's key, see <see cref="PersonIds.Key(Address)"/>, action).</summary>
    public async Task<IReadOnlyList<(string Volunteer, string Action)>> AuditTrailAsync(long id, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<AuditRow>(
            "SELECT Volunteer, Action FROM Audit WHERE ConversationId = @id ORDER BY Id", new { id, ct });
        return rows.Select(r => (r.Volunteer, r.Action)).ToList();
    }

    private bool Holds(IDbConnection db, IDbTransaction tx, long id, Address volunteer) =>
        db.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM Conversations WHERE Id = @id AND Status = 'Claimed' AND ClaimedBy = @volunteer",
            new { id, volunteer = ids.Key(volunteer) }, tx) == 1;

    private void Audit(IDbConnection db, IDbTransaction tx, long id, Address volunteer, string action, long now) =>
        db.Execute(
            "INSERT INTO Audit (ConversationId, Volunteer, Action, At) VALUES (@id, @volunteer, @action, @now)",
            new { id, volunteer = ids.Key(volunteer), action, now }, tx);

    private void SetFocus(IDbConnection db, IDbTransaction tx, Address volunteer, long id) =>
        db.Execute(
            "INSERT INTO VolunteerFocus (Volunteer, ConversationId) VALUES (@volunteer, @id) ON CONFLICT (Volunteer) DO UPDATE SET ConversationId = excluded.ConversationId",
            new { id, volunteer = ids.Key(volunteer) }, tx);
}
