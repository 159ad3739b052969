using System.Data;
using Dapper;
using Microsoft.Extensions.Logging;

namespace SupportBot.Core.Storage;

/// <summary>
/// Keep-nothing mode, chosen by the survivor: at close the words go at once (messages, notes, a shared name, and the
/// conversation's replies still waiting in the outbox), not after Storage:RetentionDays. The row stays as a number,
/// times and an outcome, so counts still add up.
/// </summary>
public sealed partial class KeepNothingStore(Database database, PersonIds ids, ILogger<KeepNothingStore> logger)
{
    /// <summary>Turns the mode on for the survivor's own open conversation; false when it is not theirs or is closed.</summary>
    public Task<bool> ChooseAsync(long id, Address survivor, CancellationToken ct)
    {
        var args = new { id, key = ids.Key(survivor) };
        return database.WriteAsync(
            (db, tx) => db.Execute("UPDATE Conversations SET KeepNothing = 1 WHERE Id = @id AND Survivor = @key AND Status <> 'Closed'", args, tx) == 1, ct);
    }

    /// <summary>Whether the survivor chose keep-nothing for this conversation, within the caller's transaction.</summary>
    internal static bool IsChosen(IDbConnection db, IDbTransaction tx, ConversationIdRow conversation) =>
        db.ExecuteScalar<long>("SELECT KeepNothing FROM Conversations WHERE Id = @Id", conversation, tx) == 1;

    public async Task<bool> IsChosenAsync(long id, CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        return await db.ExecuteScalarAsync<long>(
            "SELECT KeepNothing FROM Conversations WHERE Id = @id", new { id, ct }) == 1;
    }

    /// <summary>
    /// Deletes the words of closed keep-nothing conversations (this one, or all still holding any when null) in one
    /// transaction, then empties the WAL as /forget does. Returns how many conversations lost their words.
    /// </summary>
    public async Task<int> PurgeClosedAsync(long? id, CancellationToken ct)
    {
        var purged = await database.WriteAsync((db, tx) => Purge(db, tx, id), ct);
        if (purged > 0)
        {
            LogPurged(purged);
            await EmptyWalAsync();
        }

        return purged;
    }

    /// <summary>
    /// After a close: true when the survivor chose keep-nothing, whose words the close deleted in its own transaction
    /// (<see cref="Purge"/>); the WAL is then emptied, as /forget does.
    /// </summary>
    public async Task<bool> DeletedAtCloseAsync(long id, CancellationToken ct)
    {
        if (!await IsChosenAsync(id, ct))
        {
            return false;
        }

        await EmptyWalAsync();
        return true;
    }

    // The deletion is committed whatever happens here.
    private async Task EmptyWalAsync()
    {
        try
        {
            if (!await database.EraseDeletedAsync(PurgedTables, CancellationToken.None))
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
    /// Deletes the words of closed keep-nothing conversations (this one, or all when null), within the caller's
    /// transaction: a close calls it in its own, so the words never outlive the close.
    /// </summary>
    internal static int Purge(IDbConnection db, IDbTransaction tx, long? id)
    {
        var conversations = db.Query<long>(
            """
            SELECT c.Id FROM Conversations c
            WHERE c.Status = 'Closed' AND c.KeepNothing = 1 AND (@id IS NULL OR c.Id = @id)
              AND (c.SharedName IS NOT NULL OR EXISTS (SELECT 1 FROM Messages m WHERE m.ConversationId = c.Id)
                   OR EXISTS (SELECT 1 FROM Notes n WHERE n.ConversationId = c.Id))
            """, new { id }, tx).ToList();
        foreach (var conversation in conversations)
        {
            var args = new { conversation };
            db.Execute("DELETE FROM Messages WHERE ConversationId = @conversation", args, tx);
            db.Execute("DELETE FROM Notes WHERE ConversationId = @conversation", args, tx);
            db.Execute("DELETE FROM ConversationTags WHERE ConversationId = @conversation", args, tx);
            db.Execute("UPDATE Conversations SET SharedName = NULL WHERE Id = @conversation", args, tx);
            // What is still waiting to be delivered goes too (a relay of the survivor's words to a holder who has closed,
            // the transcript, a volunteer's last line): the survivor is told that everything in the conversation was
            // deleted, and nobody is left to answer in it. A close stores its own notes after this, in the same write.
            db.Execute("DELETE FROM Outbox WHERE ConversationId = @conversation", args, tx);
        }

        return conversations.Count;
    }

    private static readonly string[] PurgedTables = ["Messages", "Notes", "ConversationTags", "Conversations", "Outbox"];

    [LoggerMessage(Level = LogLevel.Information, Message = "Keep-nothing: deleted the words of {Count} closed conversation(s)")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A reader held the WAL checkpoint after a keep-nothing deletion; the next checkpoint empties it")]
    private partial void LogCheckpointDeferred();
}
