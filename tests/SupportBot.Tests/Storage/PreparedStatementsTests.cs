using Dapper;
using SupportBot.Core.Storage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Storage;

/// <summary>
/// The SQLite writer keeps its statements compiled (<see cref="PreparedStatements"/>): a statement run again sees its new
/// values, never the last ones; a statement whose values are left out fails as it would have; and however many different
/// texts it runs, only a bounded number stay compiled.
/// </summary>
public sealed class PreparedStatementsTests : IDisposable
{
    private readonly CoreHarness _core = new();

    private Database Database => _core.Get<Database>();

    public void Dispose() => _core.Dispose();

    [Fact]
    public async Task A_statement_run_again_sees_its_new_values_and_rows_written_by_one_read_back_by_another()
    {
        var (read, kept) = await Database.WriteAsync((db, tx) =>
        {
            db.Execute("CREATE TEMP TABLE Scratch (Name TEXT PRIMARY KEY, Value BLOB NULL)", transaction: tx);
            for (var i = 0; i < 50; i++)
            {
                db.Execute("INSERT INTO Scratch (Name, Value) VALUES (@name, @value)", new { name = $"n{i}", value = i % 2 == 0 ? new[] { (byte)i } : null }, tx);
            }

            var read = Enumerable.Range(0, 50)
                .Select(i => db.QuerySingle<(string Name, byte[]? Value)>("SELECT Name, Value FROM Scratch WHERE Name = @name", new { name = $"n{i}" }, tx))
                .ToList();
            db.Execute("DROP TABLE temp.Scratch", transaction: tx);
            return (read, ((PreparedStatements)db).Kept);
        }, default);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"n{i}"), read.Select(r => r.Name));
        Assert.All(read.Select((r, i) => (r.Value, i)), x => Assert.Equal(x.i % 2 == 0 ? new[] { (byte)x.i } : null, x.Value));
        Assert.InRange(kept, 2, 5);
    }

    [Fact]
    public async Task A_statement_missing_a_value_fails_alone_and_the_next_run_with_it_works()
    {
        const string Sql = "SELECT @a + @b";
        Assert.Equal(3L, await Database.WriteAsync((db, tx) => db.ExecuteScalar<long>(Sql, new { a = 1, b = 2 }, tx), default));

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() => Database.WriteAsync((db, tx) => db.ExecuteScalar<long>(Sql, new { a = 1 }, tx), default));

        Assert.Equal(30L, await Database.WriteAsync((db, tx) => db.ExecuteScalar<long>(Sql, new { a = 10, b = 20 }, tx), default));
    }

    [Fact]
    public async Task However_many_different_texts_it_runs_only_a_bounded_number_stay_compiled()
    {
        var (sums, kept) = await Database.WriteAsync((db, tx) =>
        {
            var sums = Enumerable.Range(0, 3 * PreparedStatements.MaxKept).Select(i => db.ExecuteScalar<long>($"SELECT {i} + @one", new { one = 1 }, tx)).ToList();
            return (sums, ((PreparedStatements)db).Kept);
        }, default);

        Assert.Equal(Enumerable.Range(1, 3 * PreparedStatements.MaxKept).Select(i => (long)i), sums);
        Assert.InRange(kept, 1, PreparedStatements.MaxKept);
    }
}
