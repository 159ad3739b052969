using System.Globalization;

// The benchmark matrix: SupportBot (a published host, as a process) against the tests' loopback fake Discord and fake
// Slack, with discord.js and Slack Bolt on the same feed where node is installed. Not a test: bench/run.sh runs it.
var root = RepoRoot();
var options = MatrixOptions.Parse(args, root, out var problem);
if (options is null)
{
    await Console.Error.WriteLineAsync(problem + "\n" + MatrixOptions.Usage);
    return 2;
}

var contenders = new Contenders(options);
var results = new List<Measurement>();
var started = DateTime.UtcNow;
var loadBefore = LoadAverage();

async Task RunAsync(string scenario, string bot, Func<Task<Measurement>> run)
{
    Measurement result;
    try
    {
        result = await run();
    }
    catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or Microsoft.Data.Sqlite.SqliteException)
    {
        result = new Measurement(scenario, bot, 0, 0, double.NaN, Note: "failed: " + e.Message.Split('\n')[0]);
        await Console.Error.WriteLineAsync(e.Message);
    }

    results.Add(result);
    await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
        $"{DateTime.UtcNow:HH:mm:ss} {scenario} / {bot}: {result.Done:N0} of {result.Offered:N0}, {result.Rate:N0}/s, p99 {result.P99:N1} ms {result.Note}"));
}

var reference = contenders.ReferenceMissing is null;
string Rate(double perSecond) => perSecond.ToString("N0", CultureInfo.InvariantCulture);

if (options.Runs_("rates"))
{
    foreach (var perSecond in options.Rates)
    {
        var count = (int)(perSecond * options.RateSeconds);
        var scenario = $"Discord /help {Rate(perSecond)}/s × {options.RateSeconds} s";
        for (var run = 0; run < options.Runs; run++)
        {
            await RunAsync(scenario, Contenders.SupportBotName, () => DiscordScenarios.HelpAsync(scenario, (f, d) => contenders.SupportBotOnDiscord(f, d), count, perSecond));
            if (reference)
            {
                await RunAsync(scenario, Contenders.DiscordJsName, () => DiscordScenarios.HelpAsync(scenario, (f, _) => contenders.DiscordJs(f), count, perSecond));
            }
        }
    }
}

if (options.Runs_("burst"))
{
    var scenario = $"Discord /help burst of {options.BurstSize:N0}";
    for (var run = 0; run < options.Runs; run++)
    {
        await RunAsync(scenario, Contenders.SupportBotName, () => DiscordScenarios.HelpAsync(scenario, (f, d) => contenders.SupportBotOnDiscord(f, d), options.BurstSize, 0, DiscordScenarios.DiscordHeartbeatMs));
        if (reference)
        {
            await RunAsync(scenario, Contenders.DiscordJsName, () => DiscordScenarios.HelpAsync(scenario, (f, _) => contenders.DiscordJs(f), options.BurstSize, 0, DiscordScenarios.DiscordHeartbeatMs));
        }
    }
}

if (options.Runs_("slack"))
{
    var count = (int)(1_000 * options.RateSeconds);
    var scenario = $"Slack Socket Mode /help 1,000/s × {options.RateSeconds} s";
    for (var run = 0; run < options.Runs; run++)
    {
        await RunAsync(scenario, Contenders.SupportBotName, () => SlackScenarios.HelpAsync(scenario, contenders.SupportBotOnSlack, count, 1_000));
        if (reference)
        {
            await RunAsync(scenario, Contenders.BoltName, () => SlackScenarios.HelpAsync(scenario, (api, _) => contenders.Bolt(api), count, 1_000));
        }
    }
}

if (options.Runs_("survivors"))
{
    foreach (var (seeded, raised) in new[] { (0, false), (MatrixOptions.SeedQueued, false), (0, true), (MatrixOptions.SeedQueued, true) })
    {
        var survivors = raised ? options.SurvivorsRaised : options.SurvivorsDefault;
        var scenario = $"Survivors queued (DM + press), {seeded:N0} already queued, limiter {(raised ? "raised" : "default 50/s")}";
        for (var run = 0; run < options.Runs; run++)
        {
            await RunAsync(scenario, Contenders.SupportBotName, () => DiscordScenarios.SurvivorsAsync(scenario, contenders, survivors, seeded, raised));
        }
    }
}

if (options.Runs_("dms"))
{
    var scenario = options.DmSenders > 0
        ? $"Durable DMs/s ({options.DmSenders} senders, each DM after the last one's answer; limiter raised) vs raw SQLite"
        : "Durable DMs/s (first DMs, limiter raised) vs raw SQLite";
    for (var run = 0; run < options.Runs; run++)
    {
        await RunAsync(scenario, "raw SQLite", () =>
        {
            // The same disk as the bot's database: the temporary folder both use.
            var folder = Directory.CreateTempSubdirectory("supportbot-probe-");
            try
            {
                return Task.FromResult(SqliteProbe.Run(scenario, folder.FullName, options.ProbeSeconds));
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        });
        await RunAsync(scenario, Contenders.SupportBotName, () => DiscordScenarios.DurableDmsAsync(scenario, contenders, options.DurableDms, options.DmSenders));
    }
}

if (options.Runs_("startup"))
{
    const string scenario = "published bot, Discord";
    for (var run = 0; run < Math.Max(3, options.Runs + 2); run++)
    {
        await RunAsync(scenario, Contenders.SupportBotName, () => StartupScenario.RunAsync(scenario, contenders, options.Idle));
    }
}

var environment = options.BotEnvironment.Count > 0 ? ", bot environment " + string.Join(' ', options.BotEnvironment.Select(e => $"{e.Key}={e.Value}")) : "";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"SupportBot benchmark matrix, {started:yyyy-MM-dd HH:mm} UTC, {(DateTime.UtcNow - started).TotalMinutes:N1} min, {Environment.ProcessorCount} cores, load average {loadBefore} before and {LoadAverage()} after, {(options.Quick ? "--quick" : "full")}, medians of {options.Runs} run(s){environment}"));
Console.WriteLine($"bot: {options.BotDll}; reference bots: {contenders.ReferenceMissing ?? "discord.js and Slack Bolt on the same feed"}");
Console.WriteLine("Latencies: offered to first response (Discord interaction callback, Slack ack; for survivors and DMs, the DM to the bot's consent question).");
Console.WriteLine();
Console.Write(Report.Table(results));
return results.Any(r => r.Note.StartsWith("failed", StringComparison.Ordinal)) ? 1 : 0;

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "SupportBot.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
