using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>
/// The one writer: many callers' writes committed together, each caller told only once its own write is durable;
/// work that fails alone fails alone; a failed commit reaches its callers as a storage fault and the writer recovers.
/// </summary>
public abstract class DatabaseWriterTests(Store store) : IDisposable
{
    private readonly CoreHarness _core = new(settings: new Dictionary<string, string?> { ["Storage:BusyTimeoutSeconds"] = "1" }, store: store);

    protected CoreHarness Core => _core;

    protected Database Database => _core.Get<Database>();

    public void Dispose() => _core.Dispose();

    [StoreFact]
    public async Task Many_concurrent_callers_are_all_durable_after_a_reopen_in_fewer_commits_than_writes()
    {
        const int callers = 400;
        var before = Database.Commits;

        var writes = Enumerable.Range(0, callers).Select(i => Task.Run(() => WriteRowAsync($"row-{i}")));
        var changed = await Task.WhenAll(writes);

        Assert.All(changed, c => Assert.Equal(1, c));
        Assert.InRange(Database.Commits - before, 1, callers - 1);
        Assert.Equal(Enumerable.Range(0, callers).Select(i => $"row-{i}").Order(StringComparer.Ordinal), ReadRowsAfterReopen());
    }

    [StoreFact]
    public async Task Work_that_fails_is_undone_and_fails_alone_while_its_batch_mates_commit()
    {
        using var started = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        var blocker = Database.WriteAsync(
            (db, tx) =>
            {
                started.Set();
                return gate.Wait(TimeSpan.FromSeconds(10));
            },
            default);
        var before = Database.Commits;
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));

        // Queued while the writer is busy, so they go into one transaction together, after the blocker's own.
        var good = Enumerable.Range(0, 20).Select(i => WriteRowAsync($"good-{i}")).ToList();
        var broken = Database.WriteAsync<int>((db, tx) =>
        {
            Insert(db, tx, "half-done");
            throw new InvalidOperationException("the work itself failed");
        }, default);
        var duplicate = WriteRowAsync("good-3");
        good.AddRange(Enumerable.Range(20, 20).Select(i => WriteRowAsync($"good-{i}")));
        gate.Set();

        Assert.True(await blocker);
        Assert.All(await Task.WhenAll(good), c => Assert.Equal(1, c));
        Assert.Equal("the work itself failed", (await Assert.ThrowsAsync<InvalidOperationException>(() => broken)).Message);
        Assert.NotNull(StorageFault.Kind(await Assert.ThrowsAnyAsync<DbException>(() => duplicate)));
        Assert.Equal(2, Database.Commits - before);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"good-{i}").Order(StringComparer.Ordinal), ReadRowsAfterReopen());
    }

    [StoreFact]
    public async Task Reads_do_not_wait_behind_a_busy_writer()
    {
        await WriteRowAsync("committed");
        using var gate = new ManualResetEventSlim();
        var blocker = Database.WriteAsync((db, tx) => gate.Wait(TimeSpan.FromSeconds(10)), default);
        var queued = WriteRowAsync("queued");

        await using (var reader = await Database.OpenAsync(default))
        {
            var read = reader.QueryAsync<string>("SELECT Name FROM Meta WHERE Name LIKE 'test-%'");
            Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(5))));
            Assert.Equal(["test-committed"], await read);
        }

        Assert.False(blocker.IsCompleted);
        gate.Set();
        await queued;
    }

    [StoreFact]
    public async Task A_write_for_an_event_being_handled_marks_it_handled_in_the_same_transaction_or_not_at_all()
    {
        var inbox = _core.Get<InboxStore>();
        var failing = Say.Dm(Say.Member("bea"), "words");
        var working = Say.Dm(Say.Member("cid"), "words");
        Assert.True(await inbox.AcceptAsync(failing, default));
        Assert.True(await inbox.AcceptAsync(working, default));

        using (var handling = inbox.Handling(failing.EventId))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => Database.WriteAsync<int>((db, tx) =>
            {
                Insert(db, tx, "half-done");
                throw new InvalidOperationException("failed");
            }, default));
            Assert.False(handling.Mark.IsCommitted);
        }

        using (var handling = inbox.Handling(working.EventId))
        {
            await WriteRowAsync("done");
            Assert.True(handling.Mark.IsCommitted);
        }

        Assert.True(await inbox.IsPendingAsync(failing.EventId, default));
        Assert.False(await inbox.IsPendingAsync(working.EventId, default));
        Assert.Equal(["done"], ReadRowsAfterReopen());
    }

    protected Task<int> WriteRowAsync(string name) => Database.WriteAsync((db, tx) => Insert(db, tx, name), default);

    private static int Insert(DbConnection db, DbTransaction tx, string name) =>
        db.Execute("INSERT INTO Meta (Name, Value) VALUES (@name, @value)", new { name = "test-" + name, value = new byte[] { 0 } }, tx);

    /// <summary>The rows as a new process would find them: the writer's connection closed, the database opened afresh.</summary>
    protected List<string> ReadRowsAfterReopen()
    {
        Database.Dispose();
        Database.CloseAll();
        using var db = _core.OpenRaw();
        return db.Query<string>("SELECT substr(Name, 6) FROM Meta WHERE Name LIKE 'test-%' ORDER BY Name").ToList();
    }
}

public sealed class DatabaseWriterOnSqlite() : DatabaseWriterTests(Store.Sqlite)
{
    [Fact]
    public async Task A_locked_database_fails_every_caller_as_a_storage_fault_and_writes_work_again_once_it_is_free()
    {
        await WriteRowAsync("before");

        using (var holder = Core.OpenRaw())
        {
            holder.Execute("BEGIN EXCLUSIVE;");
            var failures = await Task.WhenAll(Enumerable.Range(0, 5).Select(async i =>
                await Assert.ThrowsAsync<SqliteException>(() => WriteRowAsync($"locked-{i}"))));
            Assert.All(failures, e => Assert.StartsWith("busy", StorageFault.Kind(e), StringComparison.Ordinal));
            holder.Execute("ROLLBACK;");
        }

        Assert.Equal(1, await WriteRowAsync("after"));
        Assert.Equal(["after", "before"], ReadRowsAfterReopen());
    }
}

public sealed class DatabaseWriterOnPostgres() : DatabaseWriterTests(Store.Postgres), IOnPostgres;
