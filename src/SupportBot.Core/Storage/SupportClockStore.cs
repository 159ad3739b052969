using Dapper;

namespace SupportBot.Core.Storage;

/// <summary>
/// The queries behind the support timers: who has waited too long, which holder has gone quiet, which conversation
/// is silent, each marked in the same conditional UPDATE that claims the work, so two ticks never act twice.
/// </summary>
public sealed class SupportClockStore(Database database)
{
    /// <summary>Waiting conversations queued before <paramref name="waitingSince"/> and not re-announced since <paramref name="alertedBefore"/>; marked as announced now.</summary>
    public async Task<IReadOnlyList<long>> TakeDueAlertsAsync(DateTimeOffset waitingSince, DateTimeOffset alertedBefore, DateTimeOffset now, CancellationToken ct)
    {
        var args = new { waitingSince = Ms(waitingSince), alertedBefore = Ms(alertedBefore), now = Ms(now) };
        var rows = await database.WriteAsync(
            (db, tx) => db.Query<long>(
                """
                UPDATE Conversations SET AlertedAt = @now
                WHERE Status = 'Queued' AND QueuedAt <= @waitingSince AND (AlertedAt IS NULL OR AlertedAt <= @alertedBefore)
                RETURNING Id
                """,
                args, tx).ToList(),
            ct);
        return rows.Order().ToList();
    }

    /// <summary>
    /// Held conversations whose holder has not written since <paramref name="quietSince"/> (counting from the claim),
    /// and were not nudged since <paramref name="nudgedBefore"/>; marked as nudged now.
    /// </summary>
    public async Task<IReadOnlyList<long>> TakeDueNudgesAsync(DateTimeOffset quietSince, DateTimeOffset nudgedBefore, DateTimeOffset now, CancellationToken ct)
    {
        var args = new { quietSince = Ms(quietSince), nudgedBefore = Ms(nudgedBefore), now = Ms(now) };
        var rows = await database.WriteAsync(
            (db, tx) => db.Query<long>(
                """
                UPDATE Conversations SET NudgedAt = @now
                WHERE Status = 'Claimed' AND (NudgedAt IS NULL OR NudgedAt <= @nudgedBefore)
                  AND ClaimedAt <= @quietSince
                  AND COALESCE((SELECT MAX(m.SentAt) FROM Messages m WHERE m.ConversationId = Conversations.Id AND m.Sender = 'Volunteer'), 0) <= @quietSince
                RETURNING Id
                """,
                args, tx).ToList(),
            ct);
        return rows.Order().ToList();
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
    /// Closes an open conversation as quiet, audited as the bot's own act, its words deleted at once in keep-nothing mode;
    /// false when it was closed or changed meanwhile.
    /// </summary>
    public Task<bool> CloseQuietAsync(long id, DateTimeOffset silentSince, DateTimeOffset now, CancellationToken ct)
    {
        var args = new { id, silentSince = Ms(silentSince), now = Ms(now), system = AuditLog.System };
        return database.WriteAsync((db, tx) =>
        {
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
                return false;
            }

            db.Execute("INSERT INTO Audit (ConversationId, Volunteer, Action, At) VALUES (@id, @system, 'auto-close', @now)", args, tx);
            KeepNothingStore.Purge(db, tx, id);
            return true;
        }, ct);
    }

    private static long Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds();
}
