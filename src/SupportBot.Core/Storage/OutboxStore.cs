using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SupportBot.Core.Storage;

/// <summary>
/// The outbox: replies stored sealed before they are delivered, and deleted once the adapter has delivered them
/// (<see cref="SentAsync"/>), so that what a process killed between its commit and its delivery meant to send is sent by
/// another process, or by the next start, once. Two ways in:
/// <list type="bullet">
/// <item><see cref="WriteAsync"/>: the event's write itself composes its replies from what it found, and stores every
/// one of them in the same savepoint as its work and its handled mark, so the three commit together or not at all. The
/// flows where a lost reply hurts most go this way: the consent press (the volunteers' notice and the survivor's place
/// in the queue), a survivor's direct message (relayed to the volunteer holding the conversation, an urgent notice, and
/// the survivor's own answer: the first answer, or "Added."), a volunteer's words relayed to the survivor (with what
/// goes beside them: the focus chosen for a message written before it, a confirmation's audit row, their own answer), a
/// volunteer's claim, release or close (the survivor's note, the channel's notice), a transfer's offer, acceptance or
/// refusal, a survivor's /end and /forget (the notice to the holder or the channel), and a block (its notice). The
/// actor's own answer is kept too (after a kill -9 it reaches them as a direct message), except a /forget's: it would
/// keep the survivor's address here after they asked for everything to go. The support timers' notices (a quiet close,
/// a nudge, a re-announcement) go the same way, with the work they announce (<see cref="WriteNoticesAsync"/>).</item>
/// <item><see cref="KeepAsync"/>: any other event's replies for people other than its actor, stored right after the
/// handler returns, for an event whose handler did not store them with its work. None does now; this is the net for a
/// flow added later without its own write.</item>
/// </list>
/// A row is leased to the process that wrote it, with the inbox's owner id and Storage:LeaseSeconds; that process renews
/// the lease on every row it holds for as long as it runs (<see cref="RenewAsync"/>), so a live process's rows are never
/// taken from it, however long its adapter takes to deliver them. Another process takes over a row whose lease ran
/// out, and a start on SQLite the rows of a process known to have ended (<see cref="OwnerLock"/>), and delivers them
/// (<see cref="TakeOverAsync"/>). Every stored reply carries a random <see cref="Reply.Nonce"/>, stored with it, that
/// its every delivery sends: Discord drops a message that repeats a nonce of the last few minutes.
/// What remains: replies stored by <see cref="KeepAsync"/> commit a few milliseconds after the event's work and mark,
/// so a process killed in between loses them (the window is one group commit), and their actor's own reply is not
/// stored. A row of <see cref="WriteAsync"/> names the conversation its reply belongs to, and goes with it: a /forget
/// (or a keep-nothing close) deletes, in its own transaction, the replies of the survivor's conversations still waiting here (a relay of their
/// words, the transcript, a note to them); one already handed to the adapter still goes out. A reply kept for the actor
/// that its adapter would have answered in place (an interaction) reaches them, after a kill, as a direct message. A
/// process killed after the platform took a reply and before the row's delete committed has it sent again by the
/// takeover (the window is one delete), and so does a process that stalls past its lease (its renewal) while
/// delivering: Discord then shows it once (the nonce), Slack posts it only if the DM or volunteer channel does not hold
/// it yet (<see cref="Reply.TakenOver"/>; the volunteer channel's history needs a scope of its own, without which such
/// a notice can come twice), and a console line can come twice: a rare duplicate, never a loss. A delivery the platform
/// refused (a closed DM, an error, an interaction answered too late) is logged and not tried again, as before the
/// outbox. Why the write composes the replies instead of the handler storing them after it: the handled mark rides on
/// the event's first write, so anything stored later is outside its transaction; and what the replies say (the queue
/// position, whether the conversation is claimed and by whom) is only known inside that write.
/// </summary>
public sealed partial class OutboxStore(
    Database database, MessageCipher cipher, InboxStore inbox, IOptions<StorageOptions> options, TimeProvider clock, ILogger<OutboxStore> logger)
{
    /// <summary>What every row is sealed with beside the key: the payload opens only as an outbox reply.</summary>
    private const string Context = "outbox";

    /// <summary>Most rows one takeover statement takes.</summary>
    private const int TakeBatch = 100;

    /// <summary>The Platform of a volunteer notice: every platform whose adapter runs in the process that delivers it.</summary>
    private const string EveryPlatform = "";

    // A row is takeable once its lease ran out, or (at a start on SQLite) when its holder is known to have ended (@gone,
    // one at a time; a live process's rows never). Tested again in the outer WHERE, so that a row another process took
    // meanwhile is left alone.
    private const string Takeable = "(LeaseUntil IS NULL OR LeaseUntil <= @now OR LeasedBy = @gone)";

    private readonly string _takeSql = $"""
        UPDATE Outbox SET LeasedBy = @owner, LeaseUntil = @until, HeldSince = @now
        WHERE Id IN (
            SELECT Id FROM Outbox
            WHERE Platform IN (@every, @console, @discord, @slack) AND {Takeable}
            ORDER BY Id
            LIMIT {TakeBatch}{database.Cluster.SkipLocked})
          AND {Takeable}
        RETURNING Id, Payload
        """;

    /// <summary>The row of each reply this process holds and has not delivered; by reference, as records compare by value.</summary>
    private readonly ConditionalWeakTable<Reply, StrongBox<long>> _rows = new();

    /// <summary>The database's <see cref="Database.Erasures"/> after this store last erased.</summary>
    private long _erasuresSeen;

    /// <summary>Writes that stored replies so far, for <see cref="StorageOptions.TestFaultKillAfterRepliesKept"/>.</summary>
    private long _keptWrites;

    /// <summary>Events handled with replies for others so far, for <see cref="StorageOptions.TestFaultKillAfterHandled"/>.</summary>
    private long _handledWrites;

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    /// <summary>Whether a reply goes to someone other than the person whose event caused it, and so through the outbox.</summary>
    public static bool IsForOthers(Actor actor, Reply reply) => reply.Audience switch
    {
        Audience.Volunteers => true,
        Audience.Direct direct => direct.User != actor.Address,
        Audience.OnlyActor only => only.User != actor.Address,
        _ => false,
    };

    /// <summary>
    /// Runs an event's write, composes its replies from the write's result (<paramref name="answer"/>, in the same
    /// transaction, so a queue position or who holds a conversation is what the write saw) and stores every reply, sealed
    /// and leased to this process, in the write's own savepoint: the work, the event's handled mark (which rides on the
    /// write, see <see cref="InboxStore.Handling"/>) and its replies commit together or not at all, and are durable when
    /// this returns. The replies returned are then handed to the adapter, whose delivery deletes their rows (an answer in
    /// place too: <see cref="ReplyRouter.AnsweredInPlaceAsync"/>). Like all work of the writer, both functions may run
    /// more than once (PostgreSQL retries a batch that deadlocked): <paramref name="answer"/> must only compose.
    /// <paramref name="conversation"/> names the conversation the replies belong to (null for none, or for replies that
    /// must outlive it): deleting that conversation (a /forget, the retention sweep) deletes its rows still waiting, so
    /// nothing of a survivor who ran /forget (a relay of their words, a note to them) stays here after it.
    /// </summary>
    public Task<Answered<T>> WriteAsync<T>(
        Actor actor, Func<DbConnection, DbTransaction, T> work, Func<T, IReadOnlyList<Reply>> answer, Func<T, long?> conversation, CancellationToken ct) =>
        CommitAsync(actor, work, answer, conversation, ct);

    /// <summary>
    /// <see cref="WriteAsync"/> for the bot's own work, that no event caused (the support timers: a quiet close, a nudge,
    /// a re-announcement): the work, its mark that it was done and the notices announcing it commit together, so a kill
    /// between that commit and the delivery neither loses a notice (the next start, or another process, delivers it) nor
    /// sends it twice (the work is marked done, so the next tick does not do it again). Every notice is for someone else.
    /// </summary>
    public Task<Answered<T>> WriteNoticesAsync<T>(
        Func<DbConnection, DbTransaction, T> work, Func<T, IReadOnlyList<Reply>> answer, Func<T, long?> conversation, CancellationToken ct) =>
        CommitAsync(null, work, answer, conversation, ct);

    /// <summary>The write of <see cref="WriteAsync"/>; a null actor is the bot itself, whose replies are all for others.</summary>
    private async Task<Answered<T>> CommitAsync<T>(
        Actor? actor, Func<DbConnection, DbTransaction, T> work, Func<T, IReadOnlyList<Reply>> answer, Func<T, long?> conversation, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var until = (now + Lease).ToUnixTimeMilliseconds();
        var written = await database.WriteAsync(
            (db, tx) =>
            {
                var result = work(db, tx);
                var replies = WithNonces(answer(result));
                var ids = new long[replies.Count];
                var of = replies.Count == 0 ? null : conversation(result);
                for (var i = 0; i < replies.Count; i++)
                {
                    ids[i] = Insert(db, tx, RowOf(replies[i], now, until, of));
                }

                return new Written<T>(result, replies, ids);
            },
            ct);
        await HoldAsync(written.Replies, written.Ids, forOthers: actor is null || AnyForOthers(actor, written.Replies));
        return new Answered<T>(written.Result, written.Replies);
    }

    /// <summary>
    /// Stores, sealed and leased to this process, every reply of the event for someone other than its actor that is not
    /// stored already (<see cref="WriteAsync"/>); durable when this returns. Returns the replies to hand to the adapter,
    /// whose delivery deletes their rows: those stored here carry their <see cref="Reply.Nonce"/>.
    /// </summary>
    public async Task<IReadOnlyList<Reply>> KeepAsync(Actor actor, IReadOnlyList<Reply> replies, CancellationToken ct)
    {
        if (options.Value.TestFaultKillAfterHandled > 0 && AnyForOthers(actor, replies)
            && Interlocked.Increment(ref _handledWrites) == options.Value.TestFaultKillAfterHandled)
        {
            TestFault.Kill();
        }

        if (!AnyToStore(actor, replies))
        {
            // Every DM and most events come here with nothing to store: their replies were stored by their write, or are
            // the actor's own answer.
            return replies;
        }

        var all = new List<Reply>(replies.Count);
        var others = new List<Reply>();
        foreach (var reply in replies)
        {
            var stored = IsForOthers(actor, reply) && !_rows.TryGetValue(reply, out _) ? reply with { Nonce = NewNonce() } : null;
            all.Add(stored ?? reply);
            if (stored is not null)
            {
                others.Add(stored);
            }
        }

        var now = clock.GetUtcNow();
        var until = (now + Lease).ToUnixTimeMilliseconds();
        var rows = others.Select(reply => RowOf(reply, now, until, conversation: null)).ToList();
        // A loop, not a Select: Dapper.AOT generates no code for a call inside that lambda.
        var ids = await database.WriteAsync(
            (db, tx) =>
            {
                var written = new long[rows.Count];
                for (var i = 0; i < rows.Count; i++)
                {
                    written[i] = Insert(db, tx, rows[i]);
                }

                return written;
            },
            ct);
        await HoldAsync(others, ids, forOthers: true);
        return all;
    }

    // Loops rather than Any with a lambda: a lambda capturing the actor costs an object on every call, fault set or not.
    private static bool AnyForOthers(Actor actor, IReadOnlyList<Reply> replies)
    {
        for (var i = 0; i < replies.Count; i++)
        {
            if (IsForOthers(actor, replies[i]))
            {
                return true;
            }
        }

        return false;
    }

    private bool AnyToStore(Actor actor, IReadOnlyList<Reply> replies)
    {
        for (var i = 0; i < replies.Count; i++)
        {
            if (IsForOthers(actor, replies[i]) && !_rows.TryGetValue(replies[i], out _))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Each reply with a nonce of its own, for the row that stores it.</summary>
    private static List<Reply> WithNonces(IReadOnlyList<Reply> replies) => replies.Select(r => r with { Nonce = NewNonce() }).ToList();

    /// <summary>16 hex digits, random: within Discord's 25 characters with room for a part number (a reply split in several messages).</summary>
    private static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    /// <summary>A reply sealed as a row leased to this process; a volunteer notice is for whichever process delivers it.</summary>
    private OutboxInsertRow RowOf(Reply reply, DateTimeOffset now, long until, long? conversation) => new(
        reply.Audience switch
        {
            Audience.Direct direct => direct.User.Platform.ToString(),
            Audience.OnlyActor only => only.User.Platform.ToString(),
            _ => EveryPlatform,
        },
        // UTF-8 straight from the serializer: a reply is the largest row a DM writes, and a string of it was two more copies.
        cipher.Encrypt(JsonSerializer.SerializeToUtf8Bytes(reply, StorageJson.Default.Reply), Context),
        now.ToUnixTimeMilliseconds(),
        inbox.Owner,
        until,
        conversation);

    /// <summary>After the rows of <paramref name="replies"/> committed: this process holds them until their delivery.</summary>
    private async Task HoldAsync(List<Reply> replies, long[] ids, bool forOthers)
    {
        for (var i = 0; i < replies.Count; i++)
        {
            _rows.AddOrUpdate(replies[i], new StrongBox<long>(ids[i]));
        }

        // A /forget (or a keep-nothing purge) has just emptied the WAL of the rows it deleted, and these rows, written
        // after it (a forget tells the holder the conversation was withdrawn), would bring the outbox page back into
        // it: erase again, so the promise of that erase still holds once the event is done.
        if (database.Erasures != Interlocked.Read(ref _erasuresSeen))
        {
            try
            {
                await database.EraseDeletedAsync(["Outbox"], CancellationToken.None);
            }
            catch (Exception e) when (StorageFault.Kind(e) is { } fault)
            {
                LogEraseFailed(fault);
            }

            Interlocked.Exchange(ref _erasuresSeen, database.Erasures);
        }

        if (replies.Count > 0 && ((forOthers && options.Value.TestFaultKillAfterOutboxWrite)
            || Interlocked.Increment(ref _keptWrites) == options.Value.TestFaultKillAfterRepliesKept))
        {
            TestFault.Kill();
        }
    }

    // Dapper.AOT 1.0.48 left this call to Dapper's run-time code (IL emitted, so it fails under Native AOT) while it sat in
    // the write's lambda with an anonymous row; in a method of its own, with a named row, it is generated at build time.
    private static long Insert(DbConnection db, DbTransaction tx, OutboxInsertRow row) => db.ExecuteScalar<long>(
        """
        INSERT INTO Outbox (Platform, Payload, CreatedAt, LeasedBy, LeaseUntil, HeldSince, ConversationId)
        VALUES (@Platform, @Payload, @Now, @Owner, @Until, @Now, @ConversationId) RETURNING Id
        """,
        row,
        tx);

    /// <summary>
    /// After the adapter tried to deliver a reply: deletes its row, if it has one here, whether the platform took it or
    /// refused it (a refusal is logged by the router and not retried). Not cancellable: a delivered reply whose row
    /// stayed would be sent again.
    /// </summary>
    public async Task SentAsync(Reply reply)
    {
        if (!_rows.TryGetValue(reply, out var row) || !_rows.Remove(reply))
        {
            return;
        }

        try
        {
            var args = new { id = row.Value };
            await database.WriteAsync((db, tx) => db.Execute("DELETE FROM Outbox WHERE Id = @id", args, tx), CancellationToken.None);
        }
        catch (Exception e) when (StorageFault.Kind(e) is { } fault)
        {
            LogDeleteFailed(fault);
        }
    }

    /// <summary>
    /// Extends the lease on every row this process holds; the rows renewed. All of them, however long held: a row is
    /// held until its delivery was tried (a refusal deletes it too), so one still here is still to be delivered by this
    /// process (behind a rate limit, a slow platform, a long backlog), and another process taking it would send it twice.
    /// What this process can no longer deliver (it stops) it releases (<see cref="ReleaseAsync"/>); if it is killed, its
    /// leases run out, or a start on SQLite finds it gone.
    /// </summary>
    public Task<int> RenewAsync(CancellationToken ct)
    {
        var args = new { owner = inbox.Owner, until = (clock.GetUtcNow() + Lease).ToUnixTimeMilliseconds() };
        return database.WriteAsync(
            (db, tx) => db.Execute("UPDATE Outbox SET LeaseUntil = @until WHERE LeasedBy = @owner", args, tx), ct);
    }

    /// <summary>Lets go of every row this process holds, for another process or the next start to take at once; the rows released.</summary>
    public Task<int> ReleaseAsync(CancellationToken ct)
    {
        var args = new { owner = inbox.Owner };
        return database.WriteAsync((db, tx) => db.Execute("UPDATE Outbox SET LeasedBy = NULL, LeaseUntil = NULL WHERE LeasedBy = @owner", args, tx), ct);
    }

    /// <summary>
    /// Takes over, for this process, the rows whose lease ran out that it can deliver (and at a start on SQLite, those of
    /// every process known to have ended, see <see cref="OwnerLock"/>): volunteer notices, and replies to people on
    /// <paramref name="platforms"/>, oldest first. Each row is leased by one conditional update, so two processes never
    /// take the same one; a live process's rows are never taken, as it renews them. The replies returned are held like
    /// those of <see cref="KeepAsync"/>: deliver each and call <see cref="SentAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<Reply>> TakeOverAsync(IReadOnlyCollection<Platform> platforms, bool atStart, CancellationToken ct)
    {
        var taken = new List<Reply>();
        string?[] owners = atStart ? [null, .. await GoneOwnersAsync(ct)] : [null];
        foreach (var gone in owners)
        {
            while (true)
            {
                var now = clock.GetUtcNow();
                var args = new
                {
                    owner = inbox.Owner,
                    gone,
                    now = now.ToUnixTimeMilliseconds(),
                    until = (now + Lease).ToUnixTimeMilliseconds(),
                    every = EveryPlatform,
                    console = Named(platforms, Platform.Console),
                    discord = Named(platforms, Platform.Discord),
                    slack = Named(platforms, Platform.Slack),
                };
                var rows = await database.WriteAsync((db, tx) => db.Query<TakenRow>(_takeSql, args, tx).ToList(), ct);
                foreach (var (id, payload) in rows.OrderBy(r => r.Id))
                {
                    if (await OpenAsync(id, payload, ct) is { } opened)
                    {
                        var reply = opened with { TakenOver = true };
                        _rows.AddOrUpdate(reply, new StrongBox<long>(id));
                        taken.Add(reply);
                    }
                }

                if (rows.Count < TakeBatch)
                {
                    break;
                }
            }
        }

        if (taken.Count > 0)
        {
            LogTakenOver(taken.Count);
        }

        return taken;
    }

    /// <summary>On SQLite, the other processes whose leases on outbox rows still run, but which have ended.</summary>
    private async Task<List<string>> GoneOwnersAsync(CancellationToken ct)
    {
        if (inbox.Lock is not { } owners)
        {
            return [];
        }

        await using var db = await database.OpenAsync(ct);
        var holders = await db.QueryAsync<string>(
            "SELECT DISTINCT LeasedBy FROM Outbox WHERE LeasedBy <> @owner AND LeaseUntil > @now",
            new { owner = inbox.Owner, now = clock.GetUtcNow().ToUnixTimeMilliseconds() });
        return holders.Where(owners.IsGone).ToList();
    }

    private async Task<Reply?> OpenAsync(long id, byte[] payload, CancellationToken ct)
    {
        try
        {
            return JsonSerializer.Deserialize(cipher.Decrypt(payload, Context), StorageJson.Default.Reply) ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is CryptographicException or JsonException or NotSupportedException)
        {
            LogUnreadable(e.GetType().Name);
            var args = new { id };
            await database.WriteAsync((db, tx) => db.Execute("DELETE FROM Outbox WHERE Id = @id", args, tx), ct);
            return null;
        }
    }

    private static string? Named(IReadOnlyCollection<Platform> platforms, Platform platform) => platforms.Contains(platform) ? platform.ToString() : null;

    internal sealed record TakenRow(long Id, byte[] Payload);

    /// <summary>What <see cref="WriteAsync"/>'s work returns from the writer: its result, its replies and their rows.</summary>
    private sealed record Written<T>(T Result, List<Reply> Replies, long[] Ids);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering {Count} stored replies (notices, relays, answers) that a process which stopped (or stalled) stored and did not deliver")]
    private partial void LogTakenOver(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "A delivered reply's outbox row could not be deleted ({Fault}); it may be delivered again when its lease runs out")]
    private partial void LogDeleteFailed(string fault);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Erasing again after outbox rows followed a deletion failed ({Fault}); it is done at the next deletion")]
    private partial void LogEraseFailed(string fault);

    [LoggerMessage(Level = LogLevel.Error, Message = "A stored outbox reply could not be opened ({Failure}); it was dropped")]
    private partial void LogUnreadable(string failure);
}

/// <summary>An event's write and the replies composed from it, stored with it (<see cref="OutboxStore.WriteAsync"/>).</summary>
public sealed record Answered<T>(T Result, IReadOnlyList<Reply> Replies);
