using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Npgsql;
using SupportBot.Tests.Fakes;
using SupportBot.Tests.Support.Postgres;

// Issue 14: durable DMs per second with two processes on PostgreSQL against one process on SQLite, in the same run;
// claims per second across processes; failover time after kill -9. Usage: ClusterBench --bot path/SupportBot.dll [--dms N]
var bot = Path.GetFullPath(Arg("--bot") ?? throw new ArgumentException("--bot path/to/SupportBot.dll"));
var dms = int.Parse(Arg("--dms") ?? "2000", CultureInfo.InvariantCulture);
var claims = int.Parse(Arg("--claims") ?? "200", CultureInfo.InvariantCulture);
var prompts = Path.GetFullPath(Arg("--prompts") ?? "prompts");

Console.WriteLine("| what | setup | figure |");
Console.WriteLine("|---|---|---|");
await using (var run = await Cluster.StartAsync(bot, prompts, postgres: false, processes: 1))
{
    var (acked, handled) = await run.DirectMessagesAsync(dms);
    Console.WriteLine($"| durable DMs/s (stored and acked) | SQLite, 1 process | {acked:F0} |");
    Console.WriteLine($"| DMs/s handled (stored, answered) | SQLite, 1 process | {handled:F0} |");
}

await using (var run = await Cluster.StartAsync(bot, prompts, postgres: true, processes: 1))
{
    var (acked, handled) = await run.DirectMessagesAsync(dms);
    Console.WriteLine($"| durable DMs/s (stored and acked) | PostgreSQL, 1 process | {acked:F0} |");
    Console.WriteLine($"| DMs/s handled (stored, answered) | PostgreSQL, 1 process | {handled:F0} |");
}

await using (var run = await Cluster.StartAsync(bot, prompts, postgres: true, processes: 2))
{
    var (acked, handled) = await run.DirectMessagesAsync(dms);
    Console.WriteLine($"| durable DMs/s (stored and acked) | PostgreSQL, 2 processes | {acked:F0} |");
    Console.WriteLine($"| DMs/s handled (stored, answered) | PostgreSQL, 2 processes | {handled:F0} |");
    Console.WriteLine($"| claims/s, distinct conversations, volunteers on both processes | PostgreSQL, 2 processes | {await run.ClaimsAsync(claims):F0} |");
}

foreach (var lease in new[] { 5, 30 })
{
    await using var run = await Cluster.StartAsync(bot, prompts, postgres: true, processes: 2, leaseSeconds: lease);
    var (first, all, left) = await run.FailoverAsync(400);
    Console.WriteLine($"| failover after kill -9, {left} events left: first handled / all handled | PostgreSQL, 2 processes, LeaseSeconds={lease} | {first.TotalSeconds:F1} s / {all.TotalSeconds:F1} s |");
}

string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

/// <summary>Bot processes on one database, each with its own Socket Mode connection to one fake Slack.</summary>
internal sealed class Cluster : IAsyncDisposable
{
    private const string VolunteerChannel = "CVOL";
    private readonly FakeSlack _slack;
    private readonly List<BotProcess> _bots = [];
    private readonly List<FakeSocket> _sockets = [];
    private readonly string _folder = Directory.CreateTempSubdirectory("supportbot-cluster-bench-").FullName;
    private readonly string _connectionString;

    private Cluster(FakeSlack slack, string connectionString)
    {
        _slack = slack;
        _connectionString = connectionString;
    }

    public static async Task<Cluster> StartAsync(string bot, string prompts, bool postgres, int processes, int leaseSeconds = 30)
    {
        var slack = await FakeSlack.StartAsync();
        slack.RedeliverAfter = TimeSpan.FromSeconds(60);
        var cluster = new Cluster(slack, postgres ? PostgresServer.Instance.CreateDatabase() : "");
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        for (var n = 0; n < processes; n++)
        {
            List<string> args =
            [
                bot, $"--Content:Path={prompts}", $"--Storage:EncryptionKey={key}", $"--Storage:LeaseSeconds={leaseSeconds}",
                $"--Slack:BotToken={FakeSlack.BotToken}", $"--Slack:AppToken={FakeSlack.AppToken}", $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}",
                $"--Slack:VolunteerChannelId={VolunteerChannel}", "--Support:DirectMessagesPerMinute=0",
                .. Enumerable.Range(0, 20).Select(i => $"--Slack:VolunteerUserIds:{i}=UV{i:D2}"),
                .. postgres
                    ? new[] { "--Storage:Provider=postgres", $"--Storage:ConnectionString={cluster._connectionString}" }
                    : [$"--Storage:Path={Path.Combine(cluster._folder, "supportbot.db")}"],
            ];
            cluster._bots.Add(BotProcess.Start($"bot{n}", "dotnet", args, new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production" }, cluster._folder));
            await slack.WaitForConnectionsAsync(n + 1, TimeSpan.FromSeconds(60));
            cluster._sockets.Add(slack.Latest());
        }

        return cluster;
    }

    /// <summary>DMs from a hundred people, as fast as they are acked, spread over the processes: acked/s and handled/s.</summary>
    public async Task<(double Acked, double Handled)> DirectMessagesAsync(int count)
    {
        var clock = Stopwatch.StartNew();
        var ids = new List<string>();
        for (var k = 0; k < count; k++)
        {
            var id = $"EvD-{k}";
            ids.Add(id);
            var user = $"US{k % 100:D3}";
            await _slack.SendEnvelopeAsync("events_api", SlackPayloads.DirectMessage(user, $"Wren {k}: what happened in the session still worries me", id), _sockets[k % _sockets.Count]);
        }

        await Until(() => ids.All(_slack.ReceivedEventIds.Contains), "every DM acked");
        var acked = clock.Elapsed;
        await Until(async () => await PendingAsync() == 0, "every DM handled");
        var handled = clock.Elapsed;
        return (count / acked.TotalSeconds, count / handled.TotalSeconds);
    }

    /// <summary>Queues conversations, then twenty volunteers claim them through both processes at once: claims/s.</summary>
    public async Task<double> ClaimsAsync(int count)
    {
        var notices = _slack.CallsTo("chat.postMessage").Count(c => Channel(c) == VolunteerChannel);
        for (var i = 0; i < count; i++)
        {
            var user = $"UC{i:D4}";
            await _slack.SendEnvelopeAsync("events_api", SlackPayloads.DirectMessage(user, "my coach crossed a line", $"EvC-{i}"), _sockets[i % _sockets.Count]);
        }

        var pressed = new HashSet<string>();
        await Until(
            () =>
            {
                foreach (var call in _slack.CallsTo("chat.postMessage").Where(c => Channel(c)?.StartsWith("DUC", StringComparison.Ordinal) == true))
                {
                    var user = Channel(call)![1..];
                    if (SlackPayloads.ActionIds(call.Args).FirstOrDefault(a => a.StartsWith("consent:pseudonym:", StringComparison.Ordinal)) is { } consent && pressed.Add(user))
                    {
                        _ = _slack.SendEnvelopeAsync("interactive", SlackPayloads.ButtonPress(_slack, user, consent, "D" + user, "rp-" + user), _sockets[0]);
                    }
                }

                return _slack.CallsTo("chat.postMessage").Count(c => Channel(c) == VolunteerChannel) >= notices + count;
            },
            "every conversation queued");
        var waiting = _slack.CallsTo("chat.postMessage").Where(c => Channel(c) == VolunteerChannel)
            .SelectMany(c => SlackPayloads.ActionIds(c.Args)).Where(a => a.StartsWith("claim:", StringComparison.Ordinal)).Distinct().ToList();
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(waiting.Select(async (claim, i) =>
        {
            var responseId = $"rc-{i}";
            var ack = await _slack.WaitForAckAsync(
                await _slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand(_slack, $"UV{i % 20:D2}", "/claim", "#" + claim["claim:".Length..], responseId), _sockets[i % _sockets.Count]),
                TimeSpan.FromSeconds(120));
            if (ack.Payload is null)
            {
                await Until(() => _slack.Responses.Any(r => r.Id == responseId), "a claim's answer");
            }

            return true;
        }));
        return answers.Length / clock.Elapsed.TotalSeconds;
    }

    /// <summary>A burst to the first process, kill -9 once most is acked: time until the second handles the first of what it left, and all.</summary>
    public async Task<(TimeSpan First, TimeSpan All, long Left)> FailoverAsync(int count)
    {
        for (var k = 0; k < count; k++)
        {
            await _slack.SendEnvelopeAsync("events_api", SlackPayloads.DirectMessage($"UF{k % 40:D3}", $"Wren {k}: what happened still worries me", $"EvF-{k}"), _sockets[0]);
        }

        await Until(() => _slack.ReceivedEventIds.Count(id => id.StartsWith("EvF-", StringComparison.Ordinal)) >= count * 3 / 4, "most of the burst acked");
        _bots[0].Dispose();
        var clock = Stopwatch.StartNew();
        var left = await PendingAsync();
        await Until(async () => await PendingAsync() < left, "the first of the dead process's events handled");
        var first = clock.Elapsed;
        await Until(async () => await PendingAsync() == 0, "all of them handled");
        return (first, clock.Elapsed, left);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var bot in _bots)
        {
            bot.Dispose();
        }

        await _slack.DisposeAsync();
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        if (_connectionString.Length > 0)
        {
            PostgresServer.Instance.DropDatabase(_connectionString);
        }

        Directory.Delete(_folder, recursive: true);
    }

    private async Task<long> PendingAsync()
    {
        await using DbConnection db = _connectionString.Length > 0
            ? new NpgsqlConnection(_connectionString)
            : new SqliteConnection($"Data Source={Path.Combine(_folder, "supportbot.db")};Pooling=False");
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Inbox WHERE HandledAt IS NULL";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static Task Until(Func<bool> done, string what) => Until(() => Task.FromResult(done()), what);

    private static async Task Until(Func<Task<bool>> done, string what)
    {
        var until = DateTime.UtcNow.AddMinutes(5);
        while (!await done())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Waited 5 minutes for {what}.");
            }

            await Task.Delay(20);
        }
    }

    private static string? Channel(ApiCall call) => call.Args["channel"]?.GetValue<string>();
}
