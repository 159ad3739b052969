using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Storage;
using static SupportBot.Bench.Measures;

namespace SupportBot.Bench;

/// <summary>
/// The storage path of a durable DM alone, without the gateway, HTTP and JSON the end-to-end bench (bench/run.sh
/// --only dms) also spends CPU on, against the raw SQLite probe, in one process on one disk, alternating A B C A B C:
/// <list type="bullet">
/// <item>A, the raw probe (as bench/SupportBot.LoadBench's): 50 writers on their own connections and threads, each
/// committing one 300-byte row per transaction (BEGIN IMMEDIATE, WAL, synchronous=FULL).</item>
/// <item>B, the bot's path for a first DM stored before it is handled, through the real core built by DI as the host
/// builds it: 50 concurrent callers, each a new person's first DM: <see cref="Bot.AcceptAsync"/> (the event sealed into
/// the inbox, durable before a platform is told) then <see cref="Bot.HandleAcceptedAsync"/> (the block and draft reads,
/// triage, the conversation and first message with the handled mark in one savepoint of the one writer's group commit,
/// the reply built): two writes per DM.</item>
/// <item>C, the same DM taken in and handled at once (<see cref="Bot.HandleOnceAsync"/>, what the Discord adapter does
/// when the person's lane is free): the inbox row rides on the handling's write, one write per DM.</item>
/// </list>
/// Each run gets fresh files in a temp folder. Printed per run and as medians: rows or DMs per second, the process's CPU
/// µs per row or DM, and for the bot DMs per commit of the writer (what group commit buys).
/// Options: <c>--runs N</c> (default 5), <c>--seconds S</c> per run (default 5), <c>--writers N</c> (default 50);
/// <c>--only-bot [--folded]</c> runs B (or C) alone for S seconds after the warm-up, for a profiler.
/// </summary>
internal static class DurableBenchmark
{
    private const string Text = "My counsellor started texting me late at night and now I don't know what to do about it.";

    public static int Run(string[] args)
    {
        var runs = Option(args, "--runs", 5);
        var seconds = Option(args, "--seconds", 5);
        var writers = Option(args, "--writers", 50);
        var folder = Directory.CreateTempSubdirectory("supportbot-durable-");
        try
        {
            var content = ContentCatalog.Load(RepoPaths.Prompts);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"durable: {runs} runs of {seconds} s each, A = raw probe, B = the bot stores then handles, C = the bot takes in and handles at once; {writers} writers/callers, {Environment.ProcessorCount} cores, files in {folder.FullName}"));

            // Warm-up, not counted: the JIT compiles both paths before anything is timed.
            Probe(folder.FullName, 1, writers);
            BotPath(folder.FullName, content, 1, writers, folded: false).GetAwaiter().GetResult();
            BotPath(folder.FullName, content, 1, writers, folded: true).GetAwaiter().GetResult();

            if (args.Contains("--only-bot"))
            {
                // One variant alone, for a profiler attached to this process (perf record -p, dotnet-trace).
                var alone = BotPath(folder.FullName, content, seconds, writers, folded: args.Contains("--folded")).GetAwaiter().GetResult();
                Console.WriteLine($"  alone: {Describe(alone, "DMs")}");
                return 0;
            }

            var probe = new List<Result>();
            var stored = new List<Result>();
            var folded = new List<Result>();
            for (var run = 1; run <= runs; run++)
            {
                probe.Add(Probe(folder.FullName, seconds, writers));
                stored.Add(BotPath(folder.FullName, content, seconds, writers, folded: false).GetAwaiter().GetResult());
                folded.Add(BotPath(folder.FullName, content, seconds, writers, folded: true).GetAwaiter().GetResult());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  run {run}: A {Describe(probe[^1], "rows")} | B {Describe(stored[^1], "DMs")} | C {Describe(folded[^1], "DMs")}"));
            }

            Console.WriteLine($"medians of {runs} runs:");
            Summarise("A raw probe", probe, probe, "rows");
            Summarise("B bot, stored then handled", stored, probe, "DMs");
            Summarise("C bot, taken in and handled", folded, probe, "DMs");
            return 0;
        }
        finally
        {
            Database.CloseAll();
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A: the raw probe LoadBench runs (bench/Shared/SqliteRowProbe.cs), with the CPU it took.</summary>
    private static Result Probe(string folder, int seconds, int writers)
    {
        var cpu = Cpu();
        var (rows, elapsed) = SqliteRowProbe.Run(Path.Combine(folder, "probe.db"), seconds, writers);
        return new Result(rows, rows / elapsed.TotalSeconds, (Cpu() - cpu).TotalMicroseconds / Math.Max(1, rows), 0);
    }

    /// <summary>B: the core as the host builds it, over a fresh SQLite file; 50 callers, each a new person's first DM after another.</summary>
    private static async Task<Result> BotPath(string folder, ContentCatalog content, int seconds, int callers, bool folded)
    {
        var path = Path.Combine(folder, "bot.db");
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Path"] = path,
            ["Storage:EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }).Build());
        services.AddLogging();
        services.AddSupportBotCore(content);
        long done = 0;
        long commits;
        Result result;
        await using (var provider = services.BuildServiceProvider())
        {
            var bot = provider.GetRequiredService<Bot>();
            var database = provider.GetRequiredService<Database>();
            var next = 0L;
            var commitsBefore = database.Commits;
            var cpu = Cpu();
            var started = Stopwatch.GetTimestamp();
            var until = started + (seconds * Stopwatch.Frequency);
            await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
            {
                while (Stopwatch.GetTimestamp() < until)
                {
                    var n = Interlocked.Increment(ref next);
                    var user = (6_000_000_000L + n).ToString(CultureInfo.InvariantCulture);
                    var dm = new DirectMessage(
                        new Actor(new Address(Platform.Discord, user), "person " + user, IsVolunteer: false),
                        "discord:message:" + (5_000_000_000L + n).ToString(CultureInfo.InvariantCulture),
                        Text);
                    var answered = folded
                        ? await bot.HandleOnceAsync(dm, CancellationToken.None)
                        : await bot.AcceptAsync(dm, CancellationToken.None) == Acceptance.Stored ? await bot.HandleAcceptedAsync(dm, CancellationToken.None) : null;
                    if (answered is not [{ Audience: Audience.Direct }, ..])
                    {
                        throw new InvalidOperationException("A first DM was not stored and answered: the bench measures nothing.");
                    }

                    Interlocked.Increment(ref done);
                }
            })));
            var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var used = Cpu() - cpu;
            commits = database.Commits - commitsBefore;
            result = new Result(done, done / elapsed, used.TotalMicroseconds / Math.Max(1, done), commits);
        }

        DeleteDatabase(path);
        return result;
    }

    private static string Describe(Result r, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.PerSecond,6:N0} {unit}/s {r.CpuMicros,5:F0} µs CPU")
        + (r.Commits > 0 ? string.Create(CultureInfo.InvariantCulture, $" {r.Done / (double)r.Commits,4:F1}/commit") : "");

    private static void Summarise(string what, List<Result> results, List<Result> probe, string unit)
    {
        var ratios = results.Zip(probe, (r, p) => r.PerSecond / p.PerSecond).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what,-30} {Median(results.Select(r => r.PerSecond)),8:N0} {unit}/s (min {results.Min(r => r.PerSecond):N0}, max {results.Max(r => r.PerSecond):N0}), "
            + $"{Median(results.Select(r => r.CpuMicros)),5:F0} µs CPU per {unit[..^1]}, "
            + $"÷ probe: {Median(results.Select(r => r.PerSecond)) / Median(probe.Select(r => r.PerSecond)):F2}× of medians, {Median(ratios):F2}× median per run (min {ratios.Min():F2}, max {ratios.Max():F2})"));
    }

    private static void DeleteDatabase(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }
    }

    private sealed record Result(long Done, double PerSecond, double CpuMicros, long Commits);
}
