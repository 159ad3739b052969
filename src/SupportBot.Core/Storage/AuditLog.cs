using System.Data.Common;
using Dapper;

namespace SupportBot.Core.Storage;

/// <summary>
/// Audit rows for events that change nothing else in the store (a volunteer's message held or discarded): a
/// conversation number, who (a keyed hash, or "system") and what, never words. Actions that change a conversation
/// write theirs in their own transaction instead (invariant 8); so does a held message confirmed, with the message it
/// sends (<see cref="Entry(long, Address, string)"/>).
/// </summary>
public sealed class AuditLog(Database database, PersonIds ids, TimeProvider clock)
{
    /// <summary>Who an event by the bot itself is recorded as.</summary>
    public const string System = "system";

    public Task WriteAsync(long conversationId, Address volunteer, string action, CancellationToken ct) =>
        WriteAsync(conversationId, ids.Key(volunteer), action, ct);

    public Task WriteAsync(long conversationId, string who, string action, CancellationToken ct) =>
        database.WriteAsync(Entry(conversationId, who, action), ct);

    /// <summary>The work of <see cref="WriteAsync(long, Address, string, CancellationToken)"/>, for a write that records the action with what it did.</summary>
    internal Func<DbConnection, DbTransaction, int> Entry(long conversationId, Address volunteer, string action) =>
        Entry(conversationId, ids.Key(volunteer), action);

    private Func<DbConnection, DbTransaction, int> Entry(long conversationId, string who, string action)
    {
        var args = new { conversationId, who, action, now = clock.GetUtcNow().ToUnixTimeMilliseconds() };
        return (db, tx) => db.Execute("INSERT INTO Audit (ConversationId, Volunteer, Action, At) VALUES (@conversationId, @who, @action, @now)", args, tx);
    }
}
