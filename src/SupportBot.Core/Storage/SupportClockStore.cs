using System.Data.Common;
using Dapper;
using SupportBot.Core.Conversations;

namespace SupportBot.Core.Storage;

/// <summary>
/// The queries behind the support timers: who has waited too long, which holder has gone quiet, which conversation is
/// silent (reads, to find the work), and the work on one conversation: a conditional UPDATE that checks again that it is
/// due and marks it done, its audit row, and the conversation as that transaction saw it. Each work runs in the write of
/// <see cref="OutboxStore.WriteNoticesAsync"/>, which stores the notice it announces in the same commit: two ticks never
/// act twice, and a kill between that commit and the delivery neither loses the notice nor sends it twice.
/// </summary>
public sealed class SupportClockStore(Database database, ConversationStore conversations)
{
    /// <summary>Waiting conversations queued before <paramref name="waitingSince"/> and not re-announced since <paramref name="alertedBefore"/>.</summary>
    public async Task<IReadOnlyList<long>> DueAlertsAsync(DateTimeOffset waitingSince, DateTimeOffset alertedBefore, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<long>(
            """
            SELECT Id FROM Conversations
            WHERE Status = 'Queued' AND QueuedAt <= @waitingSince AND (AlertedAt IS NULL OR AlertedAt <= @alertedBefore)
            ORDER BY Id
            """,
            new { waitingSince = Ms(waitingSince), alertedBefore = Ms(alertedBefore), ct });
        return rows.ToList();
    }

    /// <summary>
    /// The work of one re-announcement: marks the conversation announced now, audited as the bot's own act, if it still
    /// waits and is due; the conversation as it was, or null when nothing was due (or it cannot be read).
    /// </summary>
    internal Func<DbConnection, DbTransaction, Conversation?> Alert(long id, DateTimeOffset waitingSince, DateTimeOffset alertedBefore, DateTimeOffset now)
    {
        var args = new { id, waitingSince = Ms(waitingSince), alertedBefore = Ms(alertedBefore), now = Ms(now), system = AuditLog.System };
        return (db, tx) =>
        {
            // Read (and opened) first: a row that cannot be decrypted is left unmarked, as it cannot be announced.
            if (conversations.Read(db, tx, id) is not { } waiting)
            {
                return null;
            }

            var changed = db.Execute(
                """
                UPDATE Conversations SET AlertedAt = @now
                WHERE Id = @id AND Status = 'Queued' AND QueuedAt <= @waitingSince AND (AlertedAt IS NULL OR AlertedAt <= @alertedBefore)
                """,
                args, tx);
            if (changed != 1)
            {
                return null;
            }

            db.Execute("INSERT INTO Audit (ConversationId, Volunteer, Action, At) VALUES (@id, @system, 'alert', @now)", args, tx);
            return waiting;
        };
    }

    /// <summary>
    /// Held conversations whose holder has not written since <paramref name="quietSince"/> (counting from the claim), and
    /// were not nudged since <paramref name="nudgedBefore"/>.
    /// </summary>
    public async Task<IReadOnlyList<long>> DueNudgesAsync(DateTimeOffset quietSince, DateTimeOffset nudgedBefore, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<long>(
            $"SELECT Id FROM Conversations WHERE {NudgeDue} ORDER BY Id",
            new { quietSince = Ms(quietSince), nudgedBefore = Ms(nudgedBefore), ct });
        return rows.ToList();
    }

    /// <summary>
    /// The work of one nudge: marks the conversation nudged now, audited under its holder, if it is still held and due;
    /// the conversation as it was, or null when nothing was due (or it cannot be read).
    /// </summary>
    internal Func<DbConnection, DbTransaction, Conversation?> Nudge(long id, DateTimeOffset quietSince, DateTimeOffset nudgedBefore, DateTimeOffset now)
    {
        var args = new { id, quietSince = Ms(quietSince), nudgedBefore = Ms(nudgedBefore), now = Ms(now) };
        return (db, tx) =>
        {
            if (conversations.Read(db, tx, id) is not { Status: ConversationStatus.Claimed, ClaimedBy: not null } held)
            {
                return null;
            }

            if (db.Execute($"UPDATE Conversations SET NudgedAt = @now WHERE Id = @id AND {NudgeDue}", args, tx) != 1)
            {
                return null;
            }

            // The holder as stored (a keyed hash), the same that claimed it in this transaction's view.
            db.Execute("INSERT INTO Audit (ConversationId, Volunteer, Action, At) SELECT Id, ClaimedBy, 'nudge', @now FROM Conversations WHERE Id = @id", args, tx);
            return held;
        };
    }

    /// <summary>Open (waiting or held) conversations in which nobody has written since <paramref name="silentSince"/>.</summary>
    public async Task<IReadOnlyList<long>> SilentAsync(DateTimeOffset silentSince, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<long>(
            """
            SELECT Id FROM Conversations
            WHERE Status IN ('Queued', 'Claimed')
              AND COALESCE(QueuedAt, CreatedAt) <= @silentSince AND COALESCE(ClaimedAt, 0) <= @silentSince
              AND COALESCE((SELECT MAX(m.SentAt) FROM Messages m WHERE m.ConversationId = Conversations.Id), 0) <= @silentSince
            ORDER BY Id
            """,
            new { silentSince = Ms(silentSince), ct });
        return rows.ToList();
    }

    /// <summary>
    /// The work of one quiet close: closes the open conversation, audited as the bot's own act, its words deleted at once
    /// in keep-nothing mode (<see cref="KeepNothingStore.Purge"/>); the conversation as it was before the close, with
    /// whether its words went, or null when it was closed or changed meanwhile (or cannot be read).
    /// </summary>
    internal Func<DbConnection, DbTransaction, Closed?> CloseQuiet(long id, DateTimeOffset silentSince, DateTimeOffset now)
    {
        var args = new { id, silentSince = Ms(silentSince), now = Ms(now), system = AuditLog.System };
        return (db, tx) =>
        {
            if (conversations.Read(db, tx, id) is not { } open)
            {
                return null;
            }

            // The silence is checked again inside the write: a message stored since SilentAsync keeps the conversation open.
            var changed = db.Execute(
                """
                UPDATE Conversations SET Status = 'Closed', ClosedAt = @now, Outcome = 'auto-closed'
                WHERE Id = @id AND Status IN ('Queued', 'Claimed')
                  AND COALESCE((SELECT MAX(m.SentAt) FROM Messages m WHERE m.ConversationId = @id), 0) <= @silentSince
                  AND COALESCE(ClaimedAt, 0) <= @silentSince
                """, args, tx);
            if (changed != 1)
            {
                return null;
            }

            db.Execute("INSERT INTO Audit (ConversationId, Volunteer, Action, At) VALUES (@id, @system, 'auto-close', @now)", args, tx);
            KeepNothingStore.Purge(db, tx, id);
            return new Closed(open, KeepNothingStore.IsChosen(db, tx, new ConversationIdRow(id)));
        };
    }

    private const string NudgeDue = """
        Status = 'Claimed' AND (NudgedAt IS NULL OR NudgedAt <= @nudgedBefore)
          AND ClaimedAt <= @quietSince
          AND COALESCE((SELECT MAX(m.SentAt) FROM Messages m WHERE m.ConversationId = Conversations.Id AND m.Sender = 'Volunteer'), 0) <= @quietSince
        """;

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();
}
