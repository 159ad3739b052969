using Dapper;
using Microsoft.Data.Sqlite;
using SupportBot.Core;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.Storage;

/// <summary>The reads every event makes run on indexes, and the retention sweep commits in small batches.</summary>
public abstract class HotPathQueryTests(Store store) : IDisposable
{
    private readonly CoreHarness _core = new(store: store);

    public void Dispose() => _core.Dispose();

    protected CoreHarness Core => _core;

    private ConversationStore Store => _core.Get<ConversationStore>();

    [StoreFact]
    public async Task A_queue_position_is_where_the_conversation_stands_in_the_queue()
    {
        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            var survivor = new Address(Platform.Discord, $"{500 + i}");
            var write = await Store.AddFromSurvivorAsync(survivor, "hello", $"Person {i}", Priority.Normal, CancellationToken.None);
            if (i < 5)
            {
                Assert.NotNull(await Store.EnqueueAsync(write.Conversation.Id, survivor, null, CancellationToken.None));
            }

            ids.Add(write.Conversation.Id);
            _core.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        await Store.RaisePriorityAsync(ids[3], CancellationToken.None);

        var queue = (await Store.QueueAsync(CancellationToken.None)).Select(c => c.Id).ToList();
        Assert.Equal([ids[3], ids[0], ids[1], ids[2], ids[4]], queue);
        foreach (var id in queue)
        {
            Assert.Equal(queue.IndexOf(id) + 1, await Store.QueuePositionAsync(id, CancellationToken.None));
        }

        Assert.Equal(0, await Store.QueuePositionAsync(ids[5], CancellationToken.None));
    }

    [StoreFact]
    public async Task A_queue_position_stays_right_as_conversations_are_claimed_released_raised_closed_and_forgotten()
    {
        // Several join in the same millisecond, so the order within a priority falls to the conversation number.
        var people = Enumerable.Range(0, 8).Select(i => new Address(Platform.Discord, $"{700 + i}")).ToList();
        var ids = new List<long>();
        foreach (var person in people)
        {
            var write = await Store.AddFromSurvivorAsync(person, "hello", "P", Priority.Normal, CancellationToken.None);
            Assert.NotNull(await Store.EnqueueAsync(write.Conversation.Id, person, null, CancellationToken.None));
            ids.Add(write.Conversation.Id);
        }

        var volunteer = new Address(Platform.Discord, "900");
        await Store.ClaimAsync(ids[0], volunteer, CancellationToken.None);
        await Store.ClaimAsync(ids[1], volunteer, CancellationToken.None);
        await AssertPositionsAsync();
        await Store.ReleaseAsync(ids[1], volunteer, CancellationToken.None);
        await Store.RaisePriorityAsync(ids[6], CancellationToken.None);
        await AssertPositionsAsync();
        await Store.CloseByVolunteerAsync(ids[0], volunteer, "helped", CancellationToken.None);
        await Store.ForgetAsync(people[4], CancellationToken.None);
        await Store.CloseBySurvivorAsync(people[2], CancellationToken.None);
        await AssertPositionsAsync();

        var queue = (await Store.QueueAsync(CancellationToken.None)).Select(c => c.Id).ToList();
        Assert.Equal([ids[6], ids[1], ids[3], ids[5], ids[7]], queue); // a released conversation keeps its place
        Assert.Equal(0, await Store.QueuePositionAsync(ids[0], CancellationToken.None));
        Assert.Equal(0, await Store.QueuePositionAsync(ids[4], CancellationToken.None));

        async Task AssertPositionsAsync()
        {
            var queue = (await Store.QueueAsync(CancellationToken.None)).Select(c => c.Id).ToList();
            foreach (var id in queue)
            {
                Assert.Equal(queue.IndexOf(id) + 1, await Store.QueuePositionAsync(id, CancellationToken.None));
            }
        }
    }

    [StoreFact]
    public async Task A_sweep_of_many_expired_conversations_commits_in_several_small_transactions()
    {
        const int expired = (3 * ConversationStore.SweepBatch) + 10;
        const int fresh = 5;
        await Store.QueueAsync(CancellationToken.None);
        var now = _core.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        using (var db = _core.OpenRaw())
        {
            await db.ExecuteAsync(
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @total)
                INSERT INTO Conversations (Survivor, Pseudonym, Status, Priority, CreatedAt, ClosedAt)
                SELECT 'person-' || i, 'P', 'Closed', 0, @old, CASE WHEN i <= @expired THEN @old ELSE @now END FROM n;
                INSERT INTO Messages (ConversationId, Sender, Body, SentAt) SELECT Id, 'Survivor', @body, @old FROM Conversations;
                INSERT INTO Notes (ConversationId, Volunteer, Body, WrittenAt) SELECT Id, 'v', @body, @old FROM Conversations;
                """,
                new { total = expired + fresh, expired, old = now - (long)TimeSpan.FromDays(400).TotalMilliseconds, now, body = new byte[] { 0 } });
        }

        var deleted = await Store.SweepAsync(_core.Clock.GetUtcNow().AddDays(-30), _core.Clock.GetUtcNow().AddDays(-1),
            _core.Clock.GetUtcNow().AddDays(-7), CancellationToken.None);

        Assert.Equal(expired, deleted);
        using (var db = _core.OpenRaw())
        {
            Assert.Equal(fresh, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Conversations"));
            Assert.Equal(fresh, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Messages"));
            Assert.Equal(fresh, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM Notes"));
        }

        var batches = _core.Logs.Lines.Where(l => l.Contains("committed a batch of", StringComparison.Ordinal)).ToList();
        Assert.True(batches.Count >= 4, $"{batches.Count} sweep transactions for {expired} conversations");
        Assert.DoesNotContain(batches, l => l.Contains($"Count={ConversationStore.SweepBatch + 1}", StringComparison.Ordinal));
    }
}

/// <summary>The query plans are SQLite's own; PostgreSQL plans by its statistics and is not checked here.</summary>
public sealed class HotPathQueryOnSqlite() : HotPathQueryTests(Store.Sqlite)
{
    public static TheoryData<string, string> HotReads => new()
    {
        { ConversationStore.QueueSql, "IX_Conversations_Queue" },
        { ConversationStore.HeldBySql, "IX_Conversations_Held" },
        { ConversationStore.QueuePositionSql, "IX_Conversations_Queue" },
        { "SELECT Body, WrittenAt, Id FROM Notes WHERE ConversationId = @id", "IX_Notes_Conversation" },
        { "SELECT Volunteer, Action FROM Audit WHERE ConversationId = @id ORDER BY Id", "IX_Audit_Conversation" },
        { "SELECT Volunteer FROM VolunteerFocus WHERE ConversationId = @id", "IX_VolunteerFocus_Conversation" },
    };

    [Theory]
    [MemberData(nameof(HotReads))]
    public async Task A_hot_read_uses_its_index_and_sorts_nothing_in_a_temporary_tree(string sql, string index)
    {
        await Core.Get<ConversationStore>().QueueAsync(CancellationToken.None); // opens the database, so every migration has run

        using var db = new SqliteConnection($"Data Source={Core.DatabasePath}");
        var plan = (await db.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            "EXPLAIN QUERY PLAN " + sql, new { id = 1L, Id = 1L, volunteer = "v" })).Select(p => p.Detail).ToList();

        Assert.Contains(plan, step => step.Contains(index, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && !step.Contains("INDEX", StringComparison.Ordinal));
    }
}

public sealed class HotPathQueryOnPostgres() : HotPathQueryTests(Store.Postgres), IOnPostgres;
