using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SupportBot.Core.Storage;

/// <summary>
/// The inbox and the one dedupe: a row per state-changing inbound event, keyed by the keyed hash of its platform event
/// id. The event is stored sealed (<see cref="AcceptAsync"/>) before the platform is told it arrived, so a crash after
/// that loses nothing: the row is handled on the next start. While an event is handled (<see cref="Handling"/>) every
/// write it makes marks its row handled in the same transaction, and drops the payload, so a replay after a crash
/// finds either the work and the mark or neither. The mark is conditional: when another process marked the event
/// first, the work is undone (<see cref="EventAlreadyHandledException"/>), so it is committed once across processes.
/// Each row is leased to the process that took it in (<see cref="Owner"/>), renewed while that process runs
/// (<see cref="RenewAsync"/>), and taken over by another only once the lease has run out (<see cref="TakeOverAsync"/>),
/// or, on SQLite, once that process is known to have ended (<see cref="OwnerLock"/>).
/// </summary>
public sealed partial class InboxStore(
    Database database, MessageCipher cipher, PersonIds ids, IOptions<StorageOptions> options, TimeProvider clock, ILogger<InboxStore> logger)
    : IDisposable
{
    private const string MarkSql = "UPDATE Inbox SET HandledAt = @now, Payload = NULL WHERE EventId = @key AND HandledAt IS NULL";

    // An event taken in and handled in one transaction: its row as a handled one would be (no words, no lease).
    private const string TakeInHandledSql = """
        INSERT INTO Inbox (EventId, Platform, Payload, ReceivedAt, HandledAt) VALUES (@key, @platform, NULL, @now, @now)
        ON CONFLICT (EventId) DO NOTHING
        """;

    /// <summary>Commits that marked an event handled so far, for <see cref="StorageOptions.TestFaultKillAfterEventCommit"/>.</summary>
    private long _eventCommits;

    /// <summary>Most rows one takeover statement takes, so a dead process's backlog is taken in short transactions.</summary>
    private const int TakeBatch = 500;

    /// <summary>Most events remembered as just stored here (see <see cref="_storedHere"/>); past it, the inbox is asked.</summary>
    internal const int MaxStoredHere = 10_000;

    // Events this process stored and has not begun to handle, with when: asked whether such an event is pending, the
    // answer is yes without a read while its lease (this process's) cannot have run out, so no other process can have
    // taken it. In memory only; an entry goes when the event is handled, or is not trusted once half the lease passed.
    private readonly ConcurrentDictionary<string, long> _storedHere = new(StringComparer.Ordinal);

    // At start: this process's own rows (stored, never handed to a lane), those whose lease ran out, and on SQLite those
    // of a process known to have ended (@gone, one at a time). Later: only other processes' rows whose lease ran out, as
    // this one's are in its lanes.
    private readonly string _takeAtStartSql = TakeSql(database.Cluster, "(LeaseUntil IS NULL OR LeaseUntil <= @expired OR LeasedBy = @owner OR LeasedBy = @gone)");
    private readonly string _takeExpiredSql = TakeSql(database.Cluster, "(LeaseUntil IS NULL OR LeaseUntil <= @expired) AND (LeasedBy IS NULL OR LeasedBy <> @owner)");

    private readonly (string Owner, OwnerLock? Lock) _self = Hold(database, options.Value);

    /// <summary>Who holds this process's leases: random per run, so it names neither the machine nor a person.</summary>
    public string Owner => _self.Owner;

    /// <summary>
    /// On SQLite, held for as long as this process runs, under <see cref="Owner"/>: how another process on the file tells
    /// that this one ended. Null on PostgreSQL, whose processes may run on other machines: only a lease that ran out counts.
    /// </summary>
    internal OwnerLock? Lock => _self.Lock;

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>
    /// Stores the event, sealed, unhandled and leased to this process; false when its id was stored before (by any
    /// process). Durable when this returns.
    /// </summary>
    public async Task<bool> AcceptAsync(Inbound inbound, CancellationToken ct)
    {
        var key = ids.Key(inbound.EventId);
        var now = clock.GetUtcNow();
        var args = new
        {
            key,
            platform = inbound.Actor.Platform.ToString(),
            payload = cipher.Encrypt(JsonSerializer.Serialize(StoredInbound.From(inbound), StorageJson.Default.StoredInbound), Context(key)),
            now = now.ToUnixTimeMilliseconds(),
            owner = Owner,
            until = (now + Lease).ToUnixTimeMilliseconds(),
        };
        var stored = await database.WriteAsync(
            (db, tx) => db.Execute(
                """
                INSERT INTO Inbox (EventId, Platform, Payload, ReceivedAt, LeasedBy, LeaseUntil) VALUES (@key, @platform, @payload, @now, @owner, @until)
                ON CONFLICT (EventId) DO NOTHING
                """,
                args,
                tx) == 1,
            ct);
        if (stored && _storedHere.Count < MaxStoredHere)
        {
            _storedHere[inbound.EventId] = args.now;
        }

        return stored;
    }

    /// <summary>
    /// True when a stored event is still waiting to be handled. For an event this process stored moments ago and has
    /// not handled, no read is needed: nothing else can have handled it (its lease is this process's).
    /// </summary>
    public async Task<bool> IsPendingAsync(string eventId, CancellationToken ct)
    {
        if (_storedHere.TryRemove(eventId, out var storedAt) && Now() - storedAt < (long)(Lease.TotalMilliseconds / 2))
        {
            return true;
        }

        await using var db = await database.OpenAsync(ct);
        return await db.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM Inbox WHERE EventId = @key AND HandledAt IS NULL", new { key = ids.Key(eventId), ct }) == 1;
    }

    /// <summary>
    /// Until the scope is disposed, every write of this flow also marks the event handled, in the same transaction;
    /// <see cref="WriteMark.IsCommitted"/> then says whether one did.
    /// </summary>
    internal WriteMark.Scope Handling(string eventId)
    {
        _storedHere.TryRemove(eventId, out _);
        var key = ids.Key(eventId);
        return WriteMark.Begin((db, tx) => db.Execute(MarkSql, new { key, now = Now() }, tx), AfterEventCommit);
    }

    /// <summary>
    /// For an event taken in and handled at once (not stored first): until the scope is disposed, every write of this
    /// flow also inserts the event's row, handled and without its words, in the same transaction, so the work and the
    /// row commit together or not at all. A row already there (the event was stored before, by any process) inserts
    /// nothing, and the work is undone (<see cref="EventAlreadyHandledException"/>), as a mark finding it handled does.
    /// </summary>
    internal WriteMark.Scope TakingIn(Inbound inbound)
    {
        var key = ids.Key(inbound.EventId);
        var platform = inbound.Actor.Platform.ToString();
        return WriteMark.Begin((db, tx) => db.Execute(TakeInHandledSql, new { key, platform, now = Now() }, tx), AfterEventCommit);
    }

    /// <summary>The test fault's count of events committed, when it is set; nothing runs after a commit otherwise.</summary>
    private Action? AfterEventCommit => options.Value.TestFaultKillAfterEventCommit > 0 ? CountEventCommit : null;

    private void CountEventCommit()
    {
        if (Interlocked.Increment(ref _eventCommits) == options.Value.TestFaultKillAfterEventCommit)
        {
            TestFault.Kill();
        }
    }

    /// <summary>
    /// Stores the row of an event taken in and handled at once whose handling wrote nothing (<see cref="TakingIn"/>),
    /// handled, so a redelivery is known; false when it was stored before. Durable when this returns.
    /// </summary>
    public Task<bool> TakeInHandledAsync(Inbound inbound, CancellationToken ct)
    {
        var args = new { key = ids.Key(inbound.EventId), platform = inbound.Actor.Platform.ToString(), now = Now() };
        return database.WriteAsync((db, tx) => db.Execute(TakeInHandledSql, args, tx) == 1, ct);
    }

    /// <summary>Marks a stored event handled and drops its words: for an event whose handling wrote nothing.</summary>
    public Task MarkHandledAsync(string eventId, CancellationToken ct)
    {
        _storedHere.TryRemove(eventId, out _);
        var args = new { key = ids.Key(eventId), now = Now() };
        return database.WriteAsync((db, tx) => db.Execute(MarkSql, args, tx), ct);
    }

    /// <summary>Lets go of one event this process could not handle, for the next takeover (this process's or another's) to try again.</summary>
    public Task RetryLaterAsync(string eventId, CancellationToken ct)
    {
        var args = new { key = ids.Key(eventId) };
        return database.WriteAsync(
            (db, tx) => db.Execute("UPDATE Inbox SET LeasedBy = NULL, LeaseUntil = NULL WHERE EventId = @key AND HandledAt IS NULL", args, tx), ct);
    }

    /// <summary>Extends the lease on every event this process holds and has not handled yet; the rows renewed.</summary>
    public Task<int> RenewAsync(CancellationToken ct)
    {
        var args = new { owner = Owner, until = (clock.GetUtcNow() + Lease).ToUnixTimeMilliseconds() };
        return database.WriteAsync(
            (db, tx) => db.Execute("UPDATE Inbox SET LeaseUntil = @until WHERE LeasedBy = @owner AND HandledAt IS NULL", args, tx), ct);
    }

    /// <summary>Lets go of every event this process holds and has not handled, for another process to take at once; the rows released.</summary>
    public Task<int> ReleaseAsync(CancellationToken ct)
    {
        var args = new { owner = Owner };
        return database.WriteAsync(
            (db, tx) => db.Execute("UPDATE Inbox SET LeasedBy = NULL, LeaseUntil = NULL WHERE LeasedBy = @owner AND HandledAt IS NULL", args, tx), ct);
    }

    /// <summary>
    /// Takes over, for this process, the stored events of a platform not handled yet whose lease ran out, oldest first:
    /// each row is leased by one conditional update, so two processes never take the same one. At an adapter's start
    /// this process's own unhandled rows come too, and on SQLite those of every process known to have ended (an earlier
    /// run killed, see <see cref="OwnerLock"/>) without waiting for their leases; a live process's rows are never taken
    /// before its lease runs out. A row that cannot be opened is logged and marked handled.
    /// </summary>
    public async Task<IReadOnlyList<Inbound>> TakeOverAsync(Platform platform, bool atStart, CancellationToken ct)
    {
        var pending = new List<Inbound>();
        string?[] owners = atStart ? [null, .. await GoneOwnersAsync(platform, ct)] : [null];
        foreach (var gone in owners)
        {
            while (true)
            {
                var now = clock.GetUtcNow();
                var args = new
                {
                    owner = Owner,
                    gone,
                    until = (now + Lease).ToUnixTimeMilliseconds(),
                    platform = platform.ToString(),
                    expired = now.ToUnixTimeMilliseconds(),
                };
                var sql = atStart ? _takeAtStartSql : _takeExpiredSql;
                var taken = await database.WriteAsync((db, tx) => db.Query<TakenRow>(sql, args, tx).ToList(), ct);
                pending.AddRange(await OpenAsync(platform, taken.OrderBy(r => r.ReceivedAt).ThenBy(r => r.Seq), ct));
                if (taken.Count < TakeBatch)
                {
                    break;
                }
            }
        }

        return pending;
    }

    /// <summary>On SQLite, the other processes whose leases on a platform's pending events still run, but which have ended.</summary>
    private async Task<List<string>> GoneOwnersAsync(Platform platform, CancellationToken ct)
    {
        if (Lock is null)
        {
            return [];
        }

        await using var db = await database.OpenAsync(ct);
        var holders = await db.QueryAsync<string>(
            "SELECT DISTINCT LeasedBy FROM Inbox WHERE HandledAt IS NULL AND Platform = @platform AND LeasedBy <> @owner AND LeaseUntil > @now",
            new { platform = platform.ToString(), owner = Owner, now = Now() });
        return holders.Where(Lock.IsGone).ToList();
    }

    public void Dispose() => Lock?.Dispose();

    private static (string Owner, OwnerLock? Lock) Hold(Database database, StorageOptions options)
    {
        var owner = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        return (owner, database.Cluster.SeveralProcesses ? null : new OwnerLock(options.Path, owner));
    }

    private async Task<List<Inbound>> OpenAsync(Platform platform, IEnumerable<TakenRow> rows, CancellationToken ct)
    {
        var pending = new List<Inbound>();
        foreach (var (key, payload, _, _) in rows)
        {
            try
            {
                pending.Add(JsonSerializer.Deserialize(cipher.Decrypt(payload, Context(key)), StorageJson.Default.StoredInbound)!.ToInbound());
            }
            catch (Exception e) when (e is CryptographicException or JsonException or NullReferenceException)
            {
                LogUnreadable(platform, e.GetType().Name);
                var args = new { key, now = Now() };
                await database.WriteAsync((db, tx) => db.Execute(MarkSql, args, tx), ct);
            }
        }

        return pending;
    }

    /// <summary>
    /// One conditional update takes the rows: the oldest pending ones that <paramref name="takeable"/> lets this process
    /// have, tested again in the outer WHERE so that a row another process took meanwhile is left alone.
    /// </summary>
    private static string TakeSql(ClusterDialect cluster, string takeable) => $"""
        UPDATE Inbox SET LeasedBy = @owner, LeaseUntil = @until
        WHERE EventId IN (
            SELECT EventId FROM Inbox
            WHERE HandledAt IS NULL AND Platform = @platform AND {takeable}
            ORDER BY ReceivedAt, Seq
            LIMIT {TakeBatch}{cluster.SkipLocked})
          AND HandledAt IS NULL AND {takeable}
        RETURNING EventId, Payload, ReceivedAt, Seq
        """;

    private static string Context(string key) => "inbox:" + key;

    internal sealed record TakenRow(string EventId, byte[] Payload, long ReceivedAt, long Seq);

    private long Now() => clock.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Error, Message = "A stored {Platform} event could not be opened ({Failure}); it was dropped")]
    private partial void LogUnreadable(Platform platform, string failure);
}
