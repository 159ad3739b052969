using System.Diagnostics;
using System.Globalization;
using SupportBot.Tests.Fakes;

// Usage: dotnet run -c Release --project bench/SupportBot.LoadBench -- HOST_DLL [COUNT]
// Starts the fake Discord on loopback, starts the SupportBot host (HOST_DLL, a built src/SupportBot) against it,
// sends COUNT /help interactions as fast as the gateway takes them and prints how the bot kept up.
if (args.Length < 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: SupportBot.LoadBench HOST_DLL [COUNT]   (HOST_DLL: src/SupportBot/bin/Release/net10.0/SupportBot.dll)");
    return 2;
}

var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
var prompts = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(args[0])!, "..", "..", "..", "..", "..", "prompts"));
var data = Directory.CreateTempSubdirectory("supportbot-bench-");
await using var fake = await FakeDiscord.StartAsync();
using var host = Host.Start(Path.GetFullPath(args[0]), fake, prompts, data.FullName);
try
{
    // One /help first: the host is ready once it answers it, and its connections are open.
    // A dispatch before the session is live would wait for a RESUME that never comes, so it follows IDENTIFY.
    await fake.WaitForFrameAsync(op: 2, seconds: 60);
    for (var attempt = 0; attempt < 30; attempt++)
    {
        var warmUp = $"{attempt + 1}";
        await Interactions.SendAsync(fake, [warmUp]);
        if ((await Interactions.WaitForAnswersAsync(fake, [warmUp], TimeSpan.FromSeconds(2))).Count == 1)
        {
            break;
        }
    }

    var connectionsBefore = fake.RestConnections;

    var ids = Enumerable.Range(0, count).Select(i => (9_000_000_000L + i).ToString(CultureInfo.InvariantCulture)).ToList();
    var started = Stopwatch.GetTimestamp();
    var sentAt = await Interactions.SendAsync(fake, ids);
    var sending = Stopwatch.GetElapsedTime(started).TotalSeconds;
    var answeredAt = await Interactions.WaitForAnswersAsync(fake, ids, TimeSpan.FromSeconds(60 + (count / 100)));
    var lastAnswer = answeredAt.Count == 0 ? started : answeredAt.Values.Max();

    var latencies = answeredAt.Select(a => Stopwatch.GetElapsedTime(sentAt[a.Key], a.Value).TotalMilliseconds).Order().ToArray();
    var seconds = Stopwatch.GetElapsedTime(started, lastAnswer).TotalSeconds;
    Console.WriteLine($"interactions       {count}");
    Console.WriteLine($"offered/s          {count / sending:F0}");
    Console.WriteLine($"answered           {answeredAt.Count}");
    Console.WriteLine($"throughput/s       {answeredAt.Count / seconds:F0}");
    Console.WriteLine($"within 3 s         {latencies.Count(l => l <= 3000)}");
    Console.WriteLine($"p50 ms             {Percentile(latencies, 0.50):F1}");
    Console.WriteLine($"p99 ms             {Percentile(latencies, 0.99):F1}");
    Console.WriteLine($"max ms             {(latencies.Length == 0 ? double.NaN : latencies[^1]):F1}");
    Console.WriteLine($"tcp connections    {fake.RestConnections - connectionsBefore} (+{connectionsBefore} before the burst)");
    Console.WriteLine($"refused late/twice {fake.Refusals.Count}");
    return 0;
}
finally
{
    host.Stop();
    data.Delete(recursive: true);
}

static double Percentile(double[] sorted, double p) =>
    sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
