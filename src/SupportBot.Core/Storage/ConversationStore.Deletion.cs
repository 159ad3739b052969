using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using SupportBot.Core.Conversations;

namespace SupportBot.Core.Storage;

// Deleting: /forget (one transaction, then the WAL emptied) and the retention sweep (small batches).
public sealed partial class ConversationStore
{
    /// <summary>
    /// Deletes everything stored about this person in one transaction: the conversations they started (with their
    /// messages, notes and the outbox's replies of them still waiting), their complaint draft and their volunteer focus;
    /// notes they wrote as a volunteer lose their author. On SQLite every connection zeroes deleted content, and the WAL is checkpointed and emptied afterwards,
    /// so the bytes are gone from both files; on PostgreSQL the touched tables are vacuumed (what that promises is said at
    /// Database.VacuumAsync). Audit rows stay: a number, a volunteer key and a time.
    /// </summary>
    public async Task<ForgetResult> ForgetAsync(Address person, CancellationToken ct)
    {
        var result = await database.WriteAsync(Forget(person), ct);
        await EraseForgottenAsync();
        return result;
    }

    /// <summary>
    /// The work of <see cref="ForgetAsync"/>, for a write that composes its replies in the same transaction; the caller
    /// then calls <see cref="EraseForgottenAsync"/>.
    /// </summary>
    internal Func<DbConnection, DbTransaction, ForgetResult> Forget(Address person)
    {
        var args = new { person = ids.Key(person) };
        return (db, tx) =>
        {
            var open = db.Query<Row>($"SELECT {Columns} FROM Conversations WHERE Survivor = @person AND Status IN ('Queued', 'Claimed')", args, tx)
                .Select(TryOpen).OfType<Conversation>().ToList();
            var messages = db.ExecuteScalar<int>(
                "SELECT COUNT(*) FROM Messages WHERE ConversationId IN (SELECT Id FROM Conversations WHERE Survivor = @person)", args, tx);
            var notes = db.ExecuteScalar<int>(
                "SELECT COUNT(*) FROM Notes WHERE ConversationId IN (SELECT Id FROM Conversations WHERE Survivor = @person)", args, tx);
            var conversations = db.Execute("DELETE FROM Conversations WHERE Survivor = @person", args, tx);
            var drafts = db.Execute("DELETE FROM Drafts WHERE Person = @person", args, tx);
            db.Execute("DELETE FROM VolunteerFocus WHERE Volunteer = @person", args, tx);
            db.Execute("DELETE FROM Affiliations WHERE Volunteer = @person", args, tx);
            db.Execute("UPDATE Notes SET Volunteer = 'forgotten' WHERE Volunteer = @person", args, tx);
            return new ForgetResult(conversations, messages, notes, drafts, open);
        };
    }

    /// <summary>
    /// After a /forget committed: empties the WAL of what it deleted (SQLite) or vacuums (PostgreSQL). The deletion is
    /// committed whatever happens here, so a failed checkpoint (or vacuum) is logged, never turned into an error reply.
    /// </summary>
    internal async Task EraseForgottenAsync()
    {
        try
        {
            if (!await database.EraseDeletedAsync(ForgetTables, CancellationToken.None))
            {
                LogCheckpointDeferred();
            }
        }
        catch (Exception e) when (StorageFault.Kind(e) is not null)
        {
            LogCheckpointDeferred();
        }
    }

    /// <summary>
    /// Deletes closed conversations older than the retention, abandoned consent steps and old event ids, a batch per
    /// transaction: each commit holds the write lock for one batch and its cascade, so survivors' writes get in between.
    /// </summary>
    public async Task<int> SweepAsync(DateTimeOffset closedBefore, DateTimeOffset unsharedBefore, DateTimeOffset eventsBefore, CancellationToken ct)
    {
        var args = new
        {
            closedBefore = closedBefore.ToUnixTimeMilliseconds(),
            unsharedBefore = unsharedBefore.ToUnixTimeMilliseconds(),
            eventsBefore = eventsBefore.ToUnixTimeMilliseconds(),
            batch = SweepBatch,
        };
        var deleted = 0;
        int conversations;
        do
        {
            conversations = await SweepBatchAsync((db, tx) => db.Execute(
                """
                DELETE FROM Conversations WHERE Id IN (
                    SELECT Id FROM Conversations WHERE Status = 'Closed' AND ClosedAt < @closedBefore
                    UNION ALL
                    SELECT Id FROM Conversations WHERE Status = 'Consent' AND CreatedAt < @unsharedBefore
                    LIMIT @batch)
                """, args, tx), ct);
            deleted += conversations;
        }
        while (conversations == SweepBatch);

        while (await SweepBatchAsync((db, tx) => db.Execute(
            "DELETE FROM Inbox WHERE EventId IN (SELECT EventId FROM Inbox WHERE HandledAt IS NOT NULL AND ReceivedAt < @eventsBefore LIMIT @batch)", args, tx), ct)
             == SweepBatch)
        {
        }

        return deleted;
    }

    // The statement is written at the call, where Dapper.AOT sees its parameters' type.
    private async Task<int> SweepBatchAsync(Func<IDbConnection, IDbTransaction, int> delete, CancellationToken ct)
    {
        var deleted = await database.WriteAsync(delete, ct);
        LogSweptBatch(deleted);
        return deleted;
    }

    /// <summary>
    /// Tables whose rows /forget deletes or rewrites (with those its deletes cascade to: the outbox's replies of the
    /// person's conversations not delivered yet), and the inbox, whose handled rows dropped the person's sealed words by
    /// an update.
    /// </summary>
    private static readonly string[] ForgetTables =
        ["Conversations", "Messages", "Notes", "ConversationTags", "Transfers", "VolunteerFocus", "Drafts", "Affiliations", "Outbox", "Inbox"];

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retention sweep committed a batch of {Count} deletions")]
    private partial void LogSweptBatch(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A reader held the WAL checkpoint (or the vacuum failed) after a deletion; the next checkpoint or autovacuum clears it")]
    private partial void LogCheckpointDeferred();
}
