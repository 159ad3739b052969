using System.Data;
using System.Data.Common;
using Dapper;
using SupportBot.Core.Conversations;

namespace SupportBot.Core.Storage;

/// <summary>
/// Blocks on the person behind a conversation, kept by their keyed hash (<see cref="PersonIds"/>), so a volunteer acts
/// on a number without learning who it is. Every block expires. A block and its audit row are one transaction, and a
/// block closes the person's open conversation in that same transaction, so nothing of theirs stays in the queue.
/// </summary>
public sealed class BlockStore(Database database, MessageCipher cipher, PersonIds ids, TimeProvider clock)
{
    /// <summary>Blocks the person behind conversation <paramref name="id"/> until <paramref name="until"/>.</summary>
    public Task<BlockResult> BlockAsync(long id, Actor volunteer, DateTimeOffset until, string? reason, CancellationToken ct) =>
        database.WriteAsync(Block(id, volunteer, until, reason), ct);

    /// <summary>The work of <see cref="BlockAsync"/>, for a write that composes its replies in the same transaction.</summary>
    internal Func<DbConnection, DbTransaction, BlockResult> Block(long id, Actor volunteer, DateTimeOffset until, string? reason)
    {
        var by = ids.Key(volunteer.Address);
        return (db, tx) =>
        {
            var person = db.ExecuteScalar<string?>("SELECT Survivor FROM Conversations WHERE Id = @id", new { id }, tx);
            if (person is null)
            {
                return new BlockResult(BlockOutcome.NoConversation, null, null);
            }

            var now = Now();
            var existing = db.ExecuteScalar<long?>(
                "SELECT Until FROM Blocks WHERE Person = @person AND LiftedAt IS NULL AND Until > @now ORDER BY Until DESC LIMIT 1",
                new { person, now }, tx);
            if (existing is { } already)
            {
                return new BlockResult(BlockOutcome.AlreadyBlocked, FromUnix(already), null);
            }

            var blockId = db.ExecuteScalar<long>(
                """
                INSERT INTO Blocks (Person, ConversationId, BlockedBy, BlockedByName, Reason, CreatedAt, Until)
                VALUES (@person, @id, @by, NULL, NULL, @now, @until) RETURNING Id
                """,
                new { person, id, by, now, until = until.ToUnixTimeMilliseconds() }, tx);
            // Sealed under the block's own id, so a value cannot be moved to another row.
            db.Execute(
                "UPDATE Blocks SET BlockedByName = @name, Reason = @reason WHERE Id = @blockId",
                new
                {
                    blockId,
                    name = cipher.Encrypt(volunteer.DisplayName, NameContext(blockId)),
                    reason = string.IsNullOrWhiteSpace(reason) ? null : cipher.Encrypt(reason.Trim(), ReasonContext(blockId)),
                },
                tx);

            // The person's open conversation leaves the queue (or its holder) now; the status before is returned to tell them.
            var open = db.QuerySingleOrDefault<BlockedConversationRow>(
                "SELECT Id, Status, ClaimedBy, ClaimedBySealed FROM Conversations WHERE Survivor = @person AND Status <> 'Closed' ORDER BY Id DESC LIMIT 1",
                new { person }, tx);
            ClosedByBlock? closed = null;
            if (open.Status is not null)
            {
                db.Execute(
                    "UPDATE Conversations SET Status = 'Closed', ClosedAt = @now, Outcome = 'blocked' WHERE Id = @closeId",
                    new { closeId = open.Id, now }, tx);
                KeepNothingStore.Purge(db, tx, open.Id);
                var holder = open.ClaimedBy is not null && open.ClaimedBySealed is not null ? ids.Open(open.ClaimedBySealed, open.ClaimedBy) : null;
                closed = new ClosedByBlock(open.Id, Enum.Parse<ConversationStatus>(open.Status), holder);
            }

            Audit(db, tx, id, by, "block", now);
            return new BlockResult(BlockOutcome.Blocked, until, closed);
        };
    }

    /// <summary>
    /// Lifts the active block on the person behind conversation <paramref name="id"/> (or set from it). A volunteer may
    /// lift only a block they set; a coordinator any.
    /// </summary>
    public Task<UnblockOutcome> UnblockAsync(long id, Actor actor, CancellationToken ct)
    {
        var key = ids.Key(actor.Address);
        return database.WriteAsync((db, tx) =>
        {
            var now = Now();
            var block = db.QuerySingleOrDefault<BlockRow>(
                """
                SELECT Id, BlockedBy FROM Blocks
                WHERE (ConversationId = @id OR Person = (SELECT Survivor FROM Conversations WHERE Id = @id)) AND LiftedAt IS NULL AND Until > @now
                ORDER BY Id DESC LIMIT 1
                """,
                new { id, now }, tx);
            if (block.BlockedBy is null)
            {
                return UnblockOutcome.NotBlocked;
            }

            if (!actor.IsCoordinator && block.BlockedBy != key)
            {
                return UnblockOutcome.NotYours;
            }

            db.Execute("UPDATE Blocks SET LiftedAt = @now WHERE Id = @blockId", new { blockId = block.Id, now }, tx);
            Audit(db, tx, id, key, "unblock", now);
            return UnblockOutcome.Lifted;
        }, ct);
    }

    /// <summary>Blocks in force, soonest to end first, for coordinators: a number, who set it, until when and why.</summary>
    public async Task<IReadOnlyList<ActiveBlock>> ActiveAsync(CancellationToken ct)
    {
        await using var db = await database.OpenAsync(ct);
        var rows = await db.QueryAsync<ActiveBlockRow>(
            "SELECT Id, ConversationId, BlockedByName, Reason, Until FROM Blocks WHERE LiftedAt IS NULL AND Until > @now ORDER BY Until, Id",
            new { now = Now(), ct });
        return rows.Select(r => new ActiveBlock(
            r.ConversationId,
            r.BlockedByName is null ? "" : cipher.Decrypt(r.BlockedByName, NameContext(r.Id)),
            r.Reason is null ? null : cipher.Decrypt(r.Reason, ReasonContext(r.Id)),
            FromUnix(r.Until))).ToList();
    }

    /// <summary>
    /// Whether a person is blocked now, and if so whether this is the first message since the block (the one that
    /// gets the answer). Marking the answer as given is part of the same statement, so two messages cannot both get it.
    /// </summary>
    public async Task<BlockCheck> CheckAsync(Address person, CancellationToken ct)
    {
        var args = new { person = ids.Key(person), now = Now() };
        long? untold;
        // A read first, on a reader's connection: every survivor's message passes here, and almost none is blocked, so
        // most never write.
        await using (var db = await database.OpenReaderAsync(ct))
        {
            untold = await db.ExecuteScalarAsync<long?>(
                "SELECT MIN(Told) FROM Blocks WHERE Person = @person AND LiftedAt IS NULL AND Until > @now", new { args.person, args.now, ct });
        }

        if (untold is null)
        {
            return BlockCheck.NotBlocked;
        }

        var told = untold == 0 && await database.WriteAsync(
            (db, tx) => db.Execute("UPDATE Blocks SET Told = 1 WHERE Person = @person AND LiftedAt IS NULL AND Until > @now AND Told = 0", args, tx) > 0, ct);
        return told ? BlockCheck.FirstMessage : BlockCheck.Blocked;
    }

    private static void Audit(IDbConnection db, IDbTransaction tx, long id, string volunteerKey, string action, long now) =>
        db.Execute(
            "INSERT INTO Audit (ConversationId, Volunteer, Action, At) VALUES (@id, @volunteerKey, @action, @now)",
            new { id, volunteerKey, action, now }, tx);

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnix(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static string NameContext(long blockId) => $"block-by:{blockId}";

    private static string ReasonContext(long blockId) => $"block-reason:{blockId}";
}

public enum BlockOutcome
{
    Blocked,
    AlreadyBlocked,
    NoConversation,
}

public enum UnblockOutcome
{
    Lifted,
    NotBlocked,
    NotYours,
}

public enum BlockCheck
{
    NotBlocked,

    /// <summary>Blocked, and this is their first message since: it gets the one answer.</summary>
    FirstMessage,

    /// <summary>Blocked and already told: nothing more is said.</summary>
    Blocked,
}

/// <summary>The person's open conversation a block closed, as it was: who must be told it went.</summary>
public sealed record ClosedByBlock(long Id, ConversationStatus WasStatus, Address? Holder);

public sealed record BlockResult(BlockOutcome Outcome, DateTimeOffset? Until, ClosedByBlock? Closed);

public sealed record ActiveBlock(long ConversationId, string BlockedBy, string? Reason, DateTimeOffset Until);
