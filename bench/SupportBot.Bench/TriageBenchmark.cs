using System.Diagnostics;
using System.Globalization;
using SupportBot.Core.Content;
using SupportBot.Core.Triage;

namespace SupportBot.Bench;

/// <summary>
/// Times <c>RiskDetector.Assess</c> over the messages of the development, held-out and training sets, one thread, and
/// prints the median of several runs in microseconds per message, with the model and with the rules alone. The blind
/// sets are left out so that nothing here counts what fires on them. Options: <c>--runs N</c> (default 9).
/// </summary>
internal static class TriageBenchmark
{
    public static int Run(string[] args)
    {
        var runs = args is ["--runs", var n] && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 ? parsed : 9;
        var detector = ContentCatalog.Load(RepoPaths.Prompts).Triage;
        var messages = new[] { "dev.tsv", "heldout.tsv", Path.Combine("..", "Train", "train.tsv") }
            .Select(file => Path.Combine(RepoPaths.TriageEval, file))
            .SelectMany(File.ReadLines)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t', 2)[^1])
            .ToArray();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"triage: {messages.Length} messages, {detector.RuleCount} rules, {detector.ModelFeatureCount} model features, {runs} runs, {Environment.ProcessorCount} cores"));
        Time("rules then model", detector, messages, runs);
        Time("rules alone", detector.WithoutModel(), messages, runs);
        return 0;
    }

    private static void Time(string what, RiskDetector detector, string[] messages, int runs)
    {
        // Warm up so the JIT has compiled the hot paths before anything is timed.
        var fired = 0;
        for (var i = 0; i < 3; i++)
        {
            fired = messages.Count(m => detector.Assess(m).IsRisk);
        }

        // Wall time is what a survivor waits; CPU time is the detector's own cost when the machine is busy with
        // other work (on a shared machine the two differ, so both are printed).
        var wall = new double[runs];
        var cpu = new double[runs];
        using var process = Process.GetCurrentProcess();
        for (var run = 0; run < runs; run++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            foreach (var message in messages)
            {
                detector.Assess(message);
            }

            wall[run] = clock.Elapsed.TotalMicroseconds / messages.Length;
            process.Refresh();
            cpu[run] = (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / messages.Length;
        }

        Array.Sort(wall);
        Array.Sort(cpu);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what}: {fired} fire\n" +
            $"    wall: median {wall[runs / 2]:F2} µs per message (fastest run {wall[0]:F2}, slowest {wall[^1]:F2})\n" +
            $"    cpu:  median {cpu[runs / 2]:F2} µs per message (fastest run {cpu[0]:F2}, slowest {cpu[^1]:F2})"));
    }
}
