using System.Globalization;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;
using static SupportBot.Bench.Measures;

namespace SupportBot.Bench;

/// <summary>
/// The hot reads of a first DM (is the person blocked, their complaint draft), one thread, on the real database built by
/// DI: through a pooled connection (<see cref="Database.OpenAsync"/>, the SQL compiled at every read, as before) and
/// through a kept reader (<see cref="Database.OpenReaderAsync"/>, compiled once), alternating rounds in one process so
/// both see the same load. Printed: CPU µs per pair of reads, per round and as medians. Options: <c>--rounds N</c>
/// (default 5), <c>--reads N</c> per round (default 5,000).
/// </summary>
internal static class ReadsBenchmark
{
    private const string BlockSql = "SELECT MIN(Told) FROM Blocks WHERE Person = @person AND LiftedAt IS NULL AND Until > @now";
    private const string DraftSql = "SELECT Step, Answers, Kept, UpdatedAt FROM Drafts WHERE Person = @person";

    public static int Run(string[] args)
    {
        var rounds = Option(args, "--rounds", 5);
        var reads = Option(args, "--reads", 5_000);
        var folder = Directory.CreateTempSubdirectory("supportbot-reads-");
        try
        {
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Path"] = Path.Combine(folder.FullName, "bot.db"),
                ["Storage:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            }).Build());
            services.AddLogging();
            services.AddSupportBotCore(ContentCatalog.Load(RepoPaths.Prompts));
            using var provider = services.BuildServiceProvider();
            var database = provider.GetRequiredService<Database>();
            var ids = provider.GetRequiredService<PersonIds>();
            var people = Enumerable.Range(0, 1_000).Select(i => ids.Key(new Address(Platform.Discord, (6_000_000_000L + i).ToString(CultureInfo.InvariantCulture)))).ToArray();

            // Warm-up, not counted.
            Round(database.OpenAsync, people, 500);
            Round(database.OpenReaderAsync, people, 500);
            var pooled = new List<double>();
            var kept = new List<double>();
            Console.WriteLine($"reads: {rounds} rounds of {reads:N0} (block check + draft read), one thread, {Environment.ProcessorCount} cores");
            for (var r = 0; r < rounds; r++)
            {
                pooled.Add(Round(database.OpenAsync, people, reads));
                kept.Add(Round(database.OpenReaderAsync, people, reads));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {r + 1}: pooled {pooled[^1]:F1} µs CPU | kept {kept[^1]:F1} µs CPU"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"medians: pooled connection {Median(pooled):F1} µs, kept reader {Median(kept):F1} µs CPU per block check + draft read; kept ÷ pooled {Median(kept.Zip(pooled, (k, p) => k / p)):F2}"));
            return 0;
        }
        finally
        {
            Database.CloseAll();
            folder.Delete(recursive: true);
        }
    }

    private static double Round(Func<CancellationToken, Task<System.Data.Common.DbConnection>> open, string[] people, int reads)
    {
        var before = Cpu();
        for (var i = 0; i < reads; i++)
        {
            ReadAsync(open, people[i % people.Length]).GetAwaiter().GetResult();
        }

        return (Cpu() - before).TotalMicroseconds / reads;
    }

    private static async Task ReadAsync(Func<CancellationToken, Task<System.Data.Common.DbConnection>> open, string person)
    {
        await using (var db = await open(default))
        {
            await db.ExecuteScalarAsync<long?>(new CommandDefinition(BlockSql, new { person, now = 0L }));
        }

        await using (var db = await open(default))
        {
            await db.QuerySingleOrDefaultAsync<(string Step, byte[] Answers, long Kept, long UpdatedAt)>(new CommandDefinition(DraftSql, new { person }));
        }
    }
}
