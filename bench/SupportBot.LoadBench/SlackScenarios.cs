using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using SupportBot.Tests.Fakes;

/// <summary>Slack Socket Mode: /help slash commands at an offered rate; the first response is the envelope's ack (Slack wants it within 3 s).</summary>
internal static class SlackScenarios
{
    public static async Task<Measurement> HelpAsync(string scenario, Func<string, string, BotProcess> start, int count, double perSecond)
    {
        await using var fake = await FakeSlack.StartAsync();
        using var counter = new TcpCounter(fake.BaseUrl.Port);
        var apiBase = $"http://127.0.0.1:{counter.Port}/api";
        var data = Directory.CreateTempSubdirectory("supportbot-bench-");
        using var bot = start(apiBase, data.FullName);
        var acks = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);

        // The fake stamps each ack with the wall clock as it arrives; mapped onto the Stopwatch the sends are timed with.
        var (wallStart, tickStart) = (DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
        using var stop = new CancellationTokenSource();
        var drain = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                while (fake.AllAcks.TryDequeue(out var ack))
                {
                    acks.TryAdd(ack.EnvelopeId, tickStart + (long)((ack.At - wallStart).TotalSeconds * Stopwatch.Frequency));
                }

                await Task.Delay(1);
            }
        });
        try
        {
            await WarmUpAsync(fake, bot, acks);
            var connectionsBefore = counter.Accepted;
            var cpuBefore = bot.Cpu;
            var acksBefore = acks.Count;
            var envelopes = new string[count];
            var sentAt = await Pacer.SendAsync(count, perSecond, async i =>
                envelopes[i] = await fake.SendEnvelopeAsync("slash_commands", Help(fake, "U" + (100_000 + i).ToString(CultureInfo.InvariantCulture))));
            await Pacer.WaitAsync(() => acks.Count - acksBefore, count, TimeSpan.FromSeconds(10));
            var cpu = bot.Cpu - cpuBefore;
            var offered = count / (Pacer.Ms(sentAt[0], sentAt[^1]) / 1000);
            var slowFeed = offered < 0.9 * perSecond ? $"the feed reached only {offered:N0}/s; " : "";
            var calls = string.Join(", ", fake.Calls.GroupBy(c => c.Method).Select(g => $"{g.Count()} {g.Key}"));

            var latencies = envelopes.Select((e, i) => acks.TryGetValue(e, out var at) ? Pacer.Ms(sentAt[i], at) : double.NaN)
                .Where(l => !double.IsNaN(l)).Order().ToArray();
            var last = envelopes.Select(e => acks.TryGetValue(e, out var at) ? at : 0).DefaultIfEmpty(0).Max();
            var seconds = latencies.Length == 0 ? double.NaN : Pacer.Ms(sentAt[0], last) / 1000;
            return new Measurement(scenario, bot.Name, count, latencies.Length, latencies.Length / seconds,
                WithinDeadline: latencies.Count(l => l <= 3000),
                P50: Measurement.Percentile(latencies, 0.50), P99: Measurement.Percentile(latencies, 0.99), Max: latencies.LastOrDefault(double.NaN),
                Connections: counter.Accepted - connectionsBefore,
                CpuMsPerRequest: cpu.TotalMilliseconds / Math.Max(1, latencies.Length),
                Note: slowFeed + "API calls: " + calls + (bot.HasExited ? "; bot died" : ""));
        }
        finally
        {
            await stop.CancelAsync();
            await drain;
            bot.Dispose();
            data.Delete(recursive: true);
        }
    }

    private static async Task WarmUpAsync(FakeSlack fake, BotProcess bot, ConcurrentDictionary<string, long> acks)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (fake.ConnectionCount == 0 || !fake.Latest().IsOpen)
        {
            if (DateTime.UtcNow > until || bot.HasExited)
            {
                throw new InvalidOperationException($"{bot.Name} did not connect to Socket Mode:\n{bot.Tail}");
            }

            await Task.Delay(20);
        }

        while (DateTime.UtcNow < until)
        {
            var envelope = await fake.SendEnvelopeAsync("slash_commands", Help(fake, "UWARM"));
            for (var wait = 0; wait < 100 && !acks.ContainsKey(envelope); wait++)
            {
                await Task.Delay(20);
            }

            if (acks.ContainsKey(envelope))
            {
                return;
            }
        }

        throw new InvalidOperationException($"{bot.Name} did not ack /help within 60 s:\n{bot.Tail}");
    }

    private static JsonObject Help(FakeSlack fake, string user) => SlackPayloads.SlashCommand(fake, user, "/help", "", user);
}
