using System.Security.Cryptography;
using Dapper;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>
/// What PostgreSQL adds: several processes over one database. Each "process" here is a whole core of its own (its own
/// Database, writer, connection pool and stores) on the same database and key, as two SupportBot processes would be.
/// </summary>
public sealed class PostgresStoreTests : IDisposable
{
    private static readonly string[] ForgetTouches = ["conversations", "messages", "notes", "drafts", "inbox"];

    private readonly string _key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly CoreHarness _first;
    private readonly CoreHarness _second;

    public PostgresStoreTests()
    {
        _first = new CoreHarness(settings: new Dictionary<string, string?> { ["Storage:EncryptionKey"] = _key }, store: Store.Postgres);
        _second = SecondProcess(_key);

        // Opened as a process opens it at start, before any work: migrations, the key check, the writer.
        _first.Get<Database>();
        _second.Get<Database>();
    }

    public void Dispose()
    {
        _second.Dispose();
        _first.Dispose();
    }

    [PostgresFact]
    public async Task Invariant_6_two_processes_claiming_the_same_conversation_at_once_exactly_one_wins_every_time()
    {
        for (var round = 0; round < 25; round++)
        {
            var id = await _first.Bot.QueueDisclosureAsync(Say.Member($"survivor{round}"), "words for one volunteer only");
            var (a, b) = (Say.Volunteer($"a{round}"), Say.Volunteer($"b{round}"));
            using var start = new ManualResetEventSlim();
            var claims = new[] { (_first, a), (_second, b) }.Select(p => Task.Run(async () =>
            {
                start.Wait();
                return await p.Item1.Get<ConversationStore>().ClaimAsync(id, p.Item2.Address, default);
            })).ToList();
            start.Set();
            var outcomes = (await Task.WhenAll(claims)).Select(c => c.Outcome).ToList();

            Assert.Equal(1, outcomes.Count(o => o == ClaimOutcome.Claimed));
            Assert.Equal(1, outcomes.Count(o => o == ClaimOutcome.Taken));
            var trail = await _second.Get<ConversationStore>().AuditTrailAsync(id, default);
            Assert.Single(trail, t => t.Action == "claim");
            var winner = outcomes[0] == ClaimOutcome.Claimed ? a : b;
            Assert.Equal(winner.Address, (await _first.Get<ConversationStore>().GetAsync(id, default))!.ClaimedBy);
        }
    }

    [PostgresFact]
    public async Task Invariant_9_the_same_platform_event_accepted_by_two_processes_at_once_is_stored_once()
    {
        var events = Enumerable.Range(0, 50).Select(i => Say.Dm(Say.Member($"p{i}"), $"message {i}")).ToList();

        var accepted = await Task.WhenAll(events.Select(async e =>
        {
            var both = await Task.WhenAll(
                Task.Run(() => _first.Get<InboxStore>().AcceptAsync(e, default)),
                Task.Run(() => _second.Get<InboxStore>().AcceptAsync(e, default)));
            return both.Count(b => b);
        }));

        Assert.All(accepted, count => Assert.Equal(1, count));
        using var db = _first.OpenRaw();
        Assert.Equal(50, db.ExecuteScalar<long>("SELECT COUNT(*) FROM Inbox"));
        Assert.Equal(50, db.ExecuteScalar<long>("SELECT COUNT(*) FROM Inbox WHERE HandledAt IS NULL"));
    }

    [PostgresFact]
    public async Task The_schema_is_migrated_once_when_four_processes_start_together_on_a_new_database()
    {
        var connectionString = PostgresServer.Instance.CreateDatabase();
        var processes = Enumerable.Range(0, 4).Select(_ => SecondProcess(_key, connectionString)).ToList();
        try
        {
            using var start = new ManualResetEventSlim();
            var opened = processes.Select(p => Task.Run(() =>
            {
                start.Wait();
                return p.Get<Database>();
            })).ToList();
            start.Set();
            await Task.WhenAll(opened);

            using var db = processes[0].OpenRaw();
            var versions = db.Query<long>("SELECT Version FROM SchemaVersion ORDER BY Version").ToList();
            Assert.Equal(Enumerable.Range(1, Database.PostgresSchemaVersion).Select(v => (long)v), versions);
            Assert.Equal(1, db.ExecuteScalar<long>("SELECT COUNT(*) FROM Meta WHERE Name = 'KeyCheck'"));
            var id = await processes[3].Bot.QueueDisclosureAsync(Say.Member("alice"), "the first words on a new database");
            Assert.Equal(ConversationStatus.Queued, (await processes[1].Get<ConversationStore>().GetAsync(id, default))!.Status);
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
            PostgresServer.Instance.DropDatabase(connectionString);
        }
    }

    [PostgresFact]
    public async Task A_process_started_with_another_key_is_refused_with_one_plain_sentence_and_changes_nothing()
    {
        var id = await _first.Bot.QueueDisclosureAsync(Say.Member("alice"), "words under the first key");
        using var other = SecondProcess(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

        var refused = Assert.Throws<InvalidOperationException>(() => other.Get<Database>());

        Assert.Contains("Storage:EncryptionKey", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.Equal(ConversationStatus.Queued, (await _second.Get<ConversationStore>().GetAsync(id, default))!.Status);
    }

    [PostgresFact]
    public async Task A_write_that_deadlocks_with_another_process_is_run_again_and_its_caller_sees_only_success()
    {
        var database = _first.Get<Database>();
        await database.WriteAsync((db, tx) => db.Execute(
            "INSERT INTO Meta (Name, Value) VALUES ('lock-a', @v), ('lock-b', @v)", new { v = new byte[] { 0 } }, tx), default);
        var runs = 0;

        // The other process takes row a, the writer takes b and waits for a, the other then asks for b: a deadlock.
        // The other waits longer before looking for deadlocks, so PostgreSQL cancels the writer's side.
        await using var other = _first.OpenRaw();
        await using var otherTx = await other.BeginTransactionAsync();
        await other.ExecuteAsync("SET LOCAL deadlock_timeout = '30s'", transaction: otherTx);
        await other.ExecuteAsync("UPDATE Meta SET Value = @v WHERE Name = 'lock-a'", new { v = new byte[] { 1 } }, otherTx);
        var write = database.WriteAsync((db, tx) =>
        {
            Interlocked.Increment(ref runs);
            db.Execute("UPDATE Meta SET Value = @v WHERE Name = 'lock-b'", new { v = new byte[] { 2 } }, tx);
            return db.Execute("UPDATE Meta SET Value = @v WHERE Name = 'lock-a'", new { v = new byte[] { 2 } }, tx);
        }, default);
        await WaitForALockWaitAsync();
        await other.ExecuteAsync("UPDATE Meta SET Value = @v WHERE Name = 'lock-b'", new { v = new byte[] { 1 } }, otherTx);
        await otherTx.CommitAsync();

        Assert.Equal(1, await write);
        // At least once again: on a loaded machine the writer's second run can take row b back before the other's waiting
        // update wakes, deadlock once more and be run a third time (seen once in CI: 3 runs). Its caller still sees one success.
        Assert.True(runs >= 2, $"the write ran {runs} time(s)");
        Assert.True(database.Retries >= 1);
        using var db = _first.OpenRaw();
        Assert.All(db.Query<byte[]>("SELECT Value FROM Meta WHERE Name LIKE 'lock-%'"), v => Assert.Equal(2, v[0]));
    }

    /// <summary>
    /// Invariant 7 on PostgreSQL: /forget deletes in one transaction and then vacuums the tables it touched, so no
    /// query can reach the old row versions. (PostgreSQL does not zero freed space or its WAL: see Database.VacuumAsync.)
    /// </summary>
    [PostgresFact]
    public async Task Invariant_7_forget_deletes_everything_of_the_person_and_vacuums_the_tables_it_touched()
    {
        var person = Say.Member("persephone");
        var vol = Say.Volunteer("vol");
        var id = await _first.Bot.QueueDisclosureAsync(person, "words that must go");
        await _second.Bot.HandleAsync(Say.Press(vol, $"claim:{id}"), default);
        await _second.Bot.HandleAsync(Say.Command(vol, "note", "a note that must go"), default);
        await _first.Get<DraftStore>().SaveAsync(person.Address, DraftStep.Done, new DraftAnswers(What: "draft words"), kept: true, default);
        var bea = await _first.Bot.QueueDisclosureAsync(Say.Member("bea"), "bea keeps her words");
        var before = VacuumCounts();

        var forgot = await _second.Bot.HandleAsync(Say.Command(person, "forget"), default);

        Assert.Contains("1 complaint draft", forgot.OnlyTo(person).Text(), StringComparison.Ordinal);
        var hash = _first.Get<PersonIds>().Key(person.Address);
        using (var db = _first.OpenRaw())
        {
            Assert.Equal(0, db.ExecuteScalar<long>("SELECT COUNT(*) FROM Conversations WHERE Survivor = @hash", new { hash }));
            Assert.Equal(0, db.ExecuteScalar<long>("SELECT COUNT(*) FROM Messages WHERE ConversationId = @id", new { id }));
            Assert.Equal(0, db.ExecuteScalar<long>("SELECT COUNT(*) FROM Notes WHERE ConversationId = @id", new { id }));
            Assert.Equal(0, db.ExecuteScalar<long>("SELECT COUNT(*) FROM Drafts WHERE Person = @hash", new { hash }));
        }

        var after = VacuumCounts();
        foreach (var table in ForgetTouches)
        {
            Assert.True(after[table] > before.GetValueOrDefault(table), $"{table} was not vacuumed after /forget");
        }

        Assert.NotNull(await _first.Get<ConversationStore>().GetAsync(bea, default));
    }

    private Dictionary<string, long> VacuumCounts()
    {
        using var db = _first.OpenRaw();
        return db.Query<(string Name, long Count)>("SELECT relname, vacuum_count FROM pg_stat_user_tables")
            .ToDictionary(r => r.Name, r => r.Count, StringComparer.Ordinal);
    }

    private async Task WaitForALockWaitAsync()
    {
        using var db = _first.OpenRaw();
        for (var i = 0; i < 200; i++)
        {
            if (await db.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0)
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("The writer never waited for the other process's lock.");
    }

    private CoreHarness SecondProcess(string key, string? connectionString = null) => new(
        settings: new Dictionary<string, string?>
        {
            ["Storage:EncryptionKey"] = key,
            ["Storage:ConnectionString"] = connectionString ?? _first.ConnectionString,
        },
        store: Store.Postgres);
}
