using System.Security.Cryptography;
using SupportBot.Tests.Support;
using SupportBot.Tests.Support.Postgres;

namespace SupportBot.Tests.EndToEnd;

/// <summary>The real process with Storage:Provider=postgres: it starts, keeps its data in PostgreSQL, and says what it cannot do there.</summary>
public sealed class PostgresHostTests
{
    [PostgresFact]
    public async Task The_real_process_runs_on_postgres_and_another_process_on_the_same_database_claims_what_it_queued()
    {
        var connectionString = PostgresServer.Instance.CreateDatabase();
        try
        {
            using var first = new TempFolder("pg-first");
            using var second = new TempFolder("pg-second");
            string[] args =
            [
                "--Storage:Provider=postgres",
                $"--Storage:ConnectionString={connectionString}",
                $"--Storage:EncryptionKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            ];

            await using (var bot = ConsoleProcess.Start(first.Path, args))
            {
                await bot.DiscloseAsync("alice", "words kept in PostgreSQL");
                Assert.Equal(0, await bot.EndInputAsync());
            }

            await using var other = ConsoleProcess.Start(second.Path, args);
            var claimed = await other.SayAsync("vol: /claim 1", "was claimed by vol");
            Assert.Equal(0, await other.EndInputAsync());

            Assert.Contains(claimed, l => l.StartsWith("[dm vol]", StringComparison.Ordinal) && l.Contains("words kept in PostgreSQL", StringComparison.Ordinal));
            Assert.False(File.Exists(first.File("supportbot.db")), "nothing is written to a SQLite file");
            Assert.DoesNotContain("   at ", other.Errors, StringComparison.Ordinal);
        }
        finally
        {
            PostgresServer.Instance.DropDatabase(connectionString);
        }
    }

    [Theory]
    [InlineData("--Storage:Provider=postgres", "Storage:ConnectionString is required with Storage:Provider=postgres")]
    [InlineData("--Storage:Provider=mysql", "Storage:Provider must be 'sqlite' (the default) or 'postgres'")]
    public async Task A_storage_provider_set_wrong_stops_the_start_with_one_line_naming_the_key(string setting, string said)
    {
        using var folder = new TempFolder("provider");
        await using var bot = ConsoleProcess.Start(folder.Path, setting);

        Assert.Equal(2, await bot.WaitForExitAsync());
        Assert.Contains(said, bot.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", bot.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_on_postgres_says_to_use_pg_dump_and_changes_nothing()
    {
        using var folder = new TempFolder("pg-backup");
        await using var bot = ConsoleProcess.Start(
            folder.Path, "backup", folder.File("copy.db"), "--Storage:Provider=postgres", "--Storage:ConnectionString=Host=127.0.0.1;Database=none");

        Assert.Equal(2, await bot.WaitForExitAsync());
        Assert.Contains("pg_dump", bot.Errors, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("copy.db")));
    }
}
