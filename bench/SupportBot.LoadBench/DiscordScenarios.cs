using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using SupportBot.Tests.Fakes;

/// <summary>The Discord scenarios: each run gets a fresh fake, a fresh data folder and a fresh bot process.</summary>
internal static partial class DiscordScenarios
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(10);

    /// <summary>Discord's own heartbeat interval (HELLO); the fake's default of 150 ms keeps the tests fast.</summary>
    public const int DiscordHeartbeatMs = 41_250;

    /// <summary>
    /// /help from distinct members at <paramref name="perSecond"/> (0: all at once). <paramref name="heartbeatMs"/>
    /// sets the fake's heartbeat interval: a burst of 20,000 frames keeps any bot's receive loop seconds behind, so at
    /// the fake's 150 ms both bots took the late ACK for a dead connection and reconnected mid-burst, which Discord's
    /// 41.25 s interval never causes.
    /// </summary>
    public static async Task<Measurement> HelpAsync(string scenario, Func<FakeDiscord, string, BotProcess> start, int count, double perSecond, int? heartbeatMs = null)
    {
        await using var fake = await FakeDiscord.StartAsync();
        if (heartbeatMs is { } interval)
        {
            fake.HeartbeatIntervalMs = interval;
        }

        await using var feed = new DiscordFeed(fake);
        var data = Directory.CreateTempSubdirectory("supportbot-bench-");
        using var bot = start(fake, data.FullName);
        try
        {
            await feed.WarmUpAsync(bot, TimeSpan.FromSeconds(60));
            var connectionsBefore = fake.RestConnections;
            var refusalsBefore = fake.Refusals.Count;
            var (gatewaysBefore, sessionsBefore) = (fake.Connections, fake.SessionsStarted);
            var callsBefore = new Dictionary<string, int>(feed.InteractionCalls, StringComparer.Ordinal);
            var cpuBefore = bot.Cpu;
            var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;

            var answeredBefore = feed.Answered.Count;
            var ids = Enumerable.Range(0, count).Select(i => (9_000_000_000L + i).ToString(CultureInfo.InvariantCulture)).ToArray();
            var sentAt = await Pacer.SendAsync(count, perSecond, i => feed.SendHelpAsync(ids[i]));
            await Pacer.WaitAsync(() => feed.Answered.Count - answeredBefore, count, Quiet);
            var cpu = bot.Cpu - cpuBefore;
            var ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore;

            var latencies = ids.Select((id, i) => feed.FirstResponse.TryGetValue(id, out var at) ? Pacer.Ms(sentAt[i], at) : double.NaN)
                .Where(l => !double.IsNaN(l)).Order().ToArray();
            var answered = ids.Select(id => feed.Answered.TryGetValue(id, out var at) ? at : 0).Where(at => at != 0).ToArray();
            var seconds = answered.Length == 0 ? double.NaN : Pacer.Ms(sentAt[0], answered.Max()) / 1000;
            var refused = fake.Refusals.Count - refusalsBefore;
            var offered = count / (Pacer.Ms(sentAt[0], sentAt[^1]) / 1000);
            var slowFeed = perSecond > 0 && offered < 0.9 * perSecond ? $"the feed reached only {offered:N0}/s; " : "";
            var burst = perSecond > 0 ? "" : BurstNote(feed, callsBefore, fake.Refusals.Skip(refusalsBefore), bot, count, offered)
                + $"fake and generator CPU {ownCpu.TotalMilliseconds / count:F2} ms/interaction; "
                + (fake.Connections > gatewaysBefore ? $"gateway reconnected {fake.Connections - gatewaysBefore}× ({fake.SessionsStarted - sessionsBefore} new sessions); " : "");
            return new Measurement(scenario, bot.Name, count, answered.Length, answered.Length / seconds,
                WithinDeadline: latencies.Count(l => l <= Deadline.TotalMilliseconds),
                P50: Measurement.Percentile(latencies, 0.50), P99: Measurement.Percentile(latencies, 0.99), Max: latencies.LastOrDefault(double.NaN),
                Connections: fake.RestConnections - connectionsBefore,
                CpuMsPerRequest: cpu.TotalMilliseconds / Math.Max(1, answered.Length),
                Note: slowFeed + burst + (refused > 0 ? $"{refused} refused late/twice; " : "") + (bot.HasExited ? "bot died: " + LastLine(bot) : ""));
        }
        finally
        {
            bot.Dispose();
            data.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Survivors each write a first DM and press "consent" as soon as the bot asks; queued per second counts the presses
    /// answered (each after its conversation is queued on disk), from the first DM to the last answer. With
    /// <paramref name="seeded"/> 50,000 conversations wait in the queue first, written straight into the database.
    /// </summary>
    public static async Task<Measurement> SurvivorsAsync(string scenario, Contenders contenders, int survivors, int seeded, bool raised)
    {
        await using var fake = await FakeDiscord.StartAsync();
        // Discord's own heartbeat, as for the burst and the DMs: at the fake's 150 ms, a bot that reads a backlog of
        // frames more slowly than they come takes the late ACK for a dead connection and resumes, stalling the run.
        fake.HeartbeatIntervalMs = DiscordHeartbeatMs;
        await using var feed = new DiscordFeed(fake);
        var prompts = Channel.CreateUnbounded<(string User, string CustomId)>();
        var consentAsked = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        feed.OnOtherCall = call =>
        {
            if (call.Method == "POST" && call.Path.Trim('/').Split('/') is ["channels", var channel, "messages"] && channel.StartsWith("dm-", StringComparison.Ordinal)
                && ConsentButton().Match(call.Body) is { Success: true } button && consentAsked.TryAdd(channel[3..], call.Timestamp))
            {
                prompts.Writer.TryWrite((channel[3..], button.Value));
            }
        };

        var data = Directory.CreateTempSubdirectory("supportbot-bench-");
        using var bot = contenders.SupportBotOnDiscord(fake, data.FullName, raised ? ["--Discord:GlobalRequestsPerSecond=1000000"] : []);
        try
        {
            await feed.WarmUpAsync(bot, TimeSpan.FromSeconds(60));

            // One survivor first, for warm-up and as the row the seed copies.
            var pressing = PressAsync(feed, prompts.Reader);
            await feed.SendDirectMessageAsync("5000000000", "6000000000");
            await Pacer.WaitAsync(() => feed.Answered.ContainsKey("7000000000") ? 1 : 0, 1, TimeSpan.FromSeconds(30));
            var seedNote = "";
            if (seeded > 0)
            {
                var seeding = Stopwatch.StartNew();
                var queued = Seeder.CopyQueuedConversation(Path.Combine(data.FullName, "supportbot.db"), seeded);
                seedNote = $"{queued:N0} conversations (seeded in {seeding.Elapsed.TotalSeconds:F1} s); ";
            }

            var connectionsBefore = fake.RestConnections;
            var (gatewaysBefore, sessionsBefore) = (fake.Connections, fake.SessionsStarted);
            var callsBefore = feed.InteractionCalls.ToDictionary(c => c.Key, c => c.Value);
            var refusalsBefore = fake.Refusals.Count;
            var cpuBefore = bot.Cpu;
            var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var answeredBefore = feed.Answered.Count;
            var users = Enumerable.Range(1, survivors).Select(i => (6_000_000_000L + i).ToString(CultureInfo.InvariantCulture)).ToArray();
            var sentAt = await Pacer.SendAsync(survivors, 0, i => feed.SendDirectMessageAsync((5_000_000_000L + i + 1).ToString(CultureInfo.InvariantCulture), users[i]));
            var presses = users.Select(PressId).ToArray();
            await Pacer.WaitAsync(() => feed.Answered.Count - answeredBefore, survivors, Quiet);
            var cpu = bot.Cpu - cpuBefore;
            var ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore;
            prompts.Writer.TryComplete();
            await pressing;

            var answeredAt = presses.Select(p => feed.Answered.TryGetValue(p, out var at) ? at : 0).Where(at => at != 0).ToArray();
            var seconds = answeredAt.Length == 0 ? double.NaN : Pacer.Ms(sentAt[0], answeredAt.Max()) / 1000;
            var dmLatencies = users.Select((u, i) => consentAsked.TryGetValue(u, out var at) ? Pacer.Ms(sentAt[i], at) : double.NaN)
                .Where(l => !double.IsNaN(l)).Order().ToArray();
            return new Measurement(scenario, bot.Name, survivors, answeredAt.Length, answeredAt.Length / seconds,
                P50: Measurement.Percentile(dmLatencies, 0.50), P99: Measurement.Percentile(dmLatencies, 0.99), Max: dmLatencies.LastOrDefault(double.NaN),
                Connections: fake.RestConnections - connectionsBefore,
                CpuMsPerRequest: cpu.TotalMilliseconds / Math.Max(1, answeredAt.Length),
                Note: seedNote + PressNote(feed, callsBefore, fake.Refusals.Skip(refusalsBefore), survivors)
                    + string.Create(CultureInfo.InvariantCulture, $"fake and generator CPU {ownCpu.TotalMilliseconds / survivors:F2} ms/survivor; ")
                    + (fake.Connections > gatewaysBefore ? $"gateway reconnected {fake.Connections - gatewaysBefore}× ({fake.SessionsStarted - sessionsBefore} new sessions); " : "")
                    + (bot.HasExited ? "bot died: " + LastLine(bot) : ""));
        }
        finally
        {
            bot.Dispose();
            data.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The presses' interaction requests by kind and what the fake refused: a refused answer (late, or a second one) costs
    /// the bot a request, an exception and a log line, so CPU per survivor is read beside it.
    /// </summary>
    private static string PressNote(DiscordFeed feed, Dictionary<string, int> before, IEnumerable<string> refusals, int survivors)
    {
        var calls = feed.InteractionCalls.Select(c => (c.Key, N: c.Value - before.GetValueOrDefault(c.Key))).Where(c => c.N > 0).OrderBy(c => c.Key).ToList();
        var refusedBy = refusals.GroupBy(r => r.Split(':')[0]).Select(g => $"{g.Key}×{g.Count()}").ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{calls.Sum(c => c.N) / (double)survivors:F2} requests/press ({string.Join(", ", calls.Select(c => $"{c.Key}: {c.N}"))}); ")
            + (refusedBy.Count > 0 ? $"refusals {string.Join(" ", refusedBy)}; " : "");
    }

    /// <summary>
    /// First DMs from distinct people, limiter raised: each answer follows its conversation's commit, so answers/s is
    /// durable DMs/s. <paramref name="senders"/> 0 sends all <paramref name="count"/> at once (a burst: the whole backlog
    /// in the bot together); a number above 0 keeps that many in flight, each sender writing the next first DM when
    /// its last one was answered, as the raw probe's writers each commit their next row when the last one committed.
    /// </summary>
    public static async Task<Measurement> DurableDmsAsync(string scenario, Contenders contenders, int count, int senders = 0)
    {
        await using var fake = await FakeDiscord.StartAsync();
        // Discord's own heartbeat, as for the /help burst: at the fake's 150 ms a backlog of first DMs made the bot take
        // the late ACK for a dead connection and reconnect mid-run, which Discord's 41.25 s never causes.
        fake.HeartbeatIntervalMs = DiscordHeartbeatMs;
        await using var feed = new DiscordFeed(fake);
        var asked = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        // The closed loop's senders wait here for their DM's answer.
        var answered = new ConcurrentDictionary<string, TaskCompletionSource>(StringComparer.Ordinal);
        // Requests beside the answers, by kind: a DM channel opened again (the bot's channel cache is bounded) costs one each.
        var otherRequests = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        feed.OnOtherCall = call =>
        {
            if (call.Method == "POST" && call.Path.Trim('/').Split('/') is ["channels", var channel, "messages"] && channel.StartsWith("dm-", StringComparison.Ordinal)
                && ConsentButton().IsMatch(call.Body))
            {
                if (asked.TryAdd(channel[3..], call.Timestamp) && answered.TryRemove(channel[3..], out var waiting))
                {
                    waiting.TrySetResult();
                }
            }
            else
            {
                otherRequests.AddOrUpdate(RequestKind(call), 1, (_, n) => n + 1);
            }
        };

        var data = Directory.CreateTempSubdirectory("supportbot-bench-");
        using var bot = contenders.SupportBotOnDiscord(fake, data.FullName, "--Discord:GlobalRequestsPerSecond=1000000");
        try
        {
            await feed.WarmUpAsync(bot, TimeSpan.FromSeconds(60));
            await feed.SendDirectMessageAsync("5000000000", "6000000000");
            await Pacer.WaitAsync(() => asked.Count, 1, TimeSpan.FromSeconds(30));

            var cpuBefore = bot.Cpu;
            var ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var otherBefore = new Dictionary<string, int>(otherRequests, StringComparer.Ordinal);
            var (gatewaysBefore, sessionsBefore) = (fake.Connections, fake.SessionsStarted);
            var users = Enumerable.Range(1, count).Select(i => (6_000_000_000L + i).ToString(CultureInfo.InvariantCulture)).ToArray();
            Task SendAsync(int i) => feed.SendDirectMessageAsync((5_000_000_000L + i + 1).ToString(CultureInfo.InvariantCulture), users[i]);
            var sentAt = senders > 0
                ? await ClosedLoopAsync(count, senders, SendAsync, i => answered.GetOrAdd(users[i], _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)), i => asked.ContainsKey(users[i]))
                : await Pacer.SendAsync(count, 0, SendAsync);
            await Pacer.WaitAsync(() => asked.Count - 1, count, Quiet);
            var cpu = bot.Cpu - cpuBefore;
            var ownCpu = Process.GetCurrentProcess().TotalProcessorTime - ownCpuBefore;
            var latencies = users.Select((u, i) => asked.TryGetValue(u, out var at) ? Pacer.Ms(sentAt[i], at) : double.NaN)
                .Where(l => !double.IsNaN(l)).Order().ToArray();
            var done = users.Select(u => asked.TryGetValue(u, out var at) ? at : 0).Where(at => at != 0).ToArray();
            var seconds = done.Length == 0 ? double.NaN : Pacer.Ms(sentAt[0], done.Max()) / 1000;
            return new Measurement(scenario, bot.Name, count, done.Length, done.Length / seconds,
                P50: Measurement.Percentile(latencies, 0.50), P99: Measurement.Percentile(latencies, 0.99), Max: latencies.LastOrDefault(double.NaN),
                CpuMsPerRequest: cpu.TotalMilliseconds / Math.Max(1, done.Length),
                // The fake Discord and the generator share the bot's cores: what they spend per DM bounds the rate too.
                Note: string.Create(CultureInfo.InvariantCulture, $"fake and generator CPU {ownCpu.TotalMilliseconds / count:F3} ms/DM; {OtherRequests(otherRequests, otherBefore)}; ")
                    + (fake.Connections > gatewaysBefore ? $"gateway reconnected {fake.Connections - gatewaysBefore}× ({fake.SessionsStarted - sessionsBefore} new sessions); " : "")
                    + (bot.HasExited ? "bot died: " + LastLine(bot) : ""));
        }
        finally
        {
            bot.Dispose();
            data.Delete(recursive: true);
        }
    }

    /// <summary>
    /// <paramref name="senders"/> loops sharing <paramref name="count"/> items: each sends the next and waits for its
    /// answer (<paramref name="answer"/>, registered before the send) before taking another. A sender whose answer
    /// does not come within the quiet time stops; the DMs it did not send count as not done.
    /// </summary>
    private static async Task<long[]> ClosedLoopAsync(int count, int senders, Func<int, Task> send, Func<int, TaskCompletionSource> answer, Func<int, bool> done)
    {
        var sentAt = new long[count];
        var next = -1;
        async Task SenderAsync()
        {
            while (Interlocked.Increment(ref next) is var i && i < count)
            {
                var answered = answer(i).Task;
                sentAt[i] = Stopwatch.GetTimestamp();
                await send(i);
                if (!done(i))
                {
                    try
                    {
                        await answered.WaitAsync(Quiet);
                    }
                    catch (TimeoutException)
                    {
                        return;
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(SenderAsync)));
        return sentAt;
    }

    /// <summary>
    /// Where a burst's time went, in counts that do not depend on the machine's load: how fast the fake could dispatch,
    /// the interaction requests by kind (a deferral and its edit are two requests for one answer), what the fake refused,
    /// and the bot's own logged failures by kind (a timed-out request shows as TaskCanceledException).
    /// </summary>
    private static string BurstNote(DiscordFeed feed, Dictionary<string, int> before, IEnumerable<string> refusals, BotProcess bot, int count, double offered)
    {
        var calls = feed.InteractionCalls.Select(c => (c.Key, N: c.Value - before.GetValueOrDefault(c.Key))).Where(c => c.N > 0).OrderBy(c => c.Key).ToList();
        var refusedBy = refusals.GroupBy(r => r.Split(':')[0]).Select(g => $"{g.Key}×{g.Count()}");
        return string.Create(CultureInfo.InvariantCulture,
            $"dispatched at {offered:N0}/s; {calls.Sum(c => c.N) / (double)count:F2} requests/interaction ({string.Join(", ", calls.Select(c => $"{c.Key}: {c.N}"))}); ")
            + (refusedBy.Any() ? $"refusals {string.Join(" ", refusedBy)}; " : "")
            + (bot.Failures.Count > 0 ? $"bot failures {string.Join(" ", bot.Failures.Select(f => $"{f.Key}×{f.Value}"))}; " : "");
    }

    /// <summary>A REST call's method and path, with ids left out: what kind of request it was.</summary>
    private static string RequestKind(RestCall call) =>
        call.Method + " " + string.Join('/', call.Path.Trim('/').Split('/').Select(p => p.Length > 0 && (char.IsAsciiDigit(p[^1]) || p.StartsWith("dm-", StringComparison.Ordinal)) ? "{id}" : p))
        + (call.Body.Contains("\"components\"", StringComparison.Ordinal) ? " (buttons)" : "");

    private static string OtherRequests(ConcurrentDictionary<string, int> now, Dictionary<string, int> before)
    {
        var kinds = now.Select(k => (k.Key, N: k.Value - before.GetValueOrDefault(k.Key))).Where(k => k.N > 0).OrderBy(k => k.Key).ToList();
        return kinds.Count == 0 ? "0 other requests" : "other requests: " + string.Join(", ", kinds.Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} ×{k.N:N0}")));
    }

    private static string PressId(string user) => "7" + user[1..];

    private static async Task PressAsync(DiscordFeed feed, ChannelReader<(string User, string CustomId)> prompts)
    {
        await foreach (var (user, customId) in prompts.ReadAllAsync())
        {
            await feed.SendPressAsync(PressId(user), user, customId);
        }
    }

    private static string LastLine(BotProcess bot) => bot.Tail.Split('\n').LastOrDefault(l => l.Trim().Length > 0) ?? "";

    [GeneratedRegex("consent:pseudonym:[0-9]+")]
    private static partial Regex ConsentButton();
}
