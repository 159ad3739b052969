using System.Globalization;
using System.Text;

/// <summary>The matrix as a Markdown table: each scenario and bot as the median of its runs, and SupportBot's rate against the other bot's, run by run.</summary>
internal static class Report
{
    public static string Table(IReadOnlyList<Measurement> results)
    {
        var text = new StringBuilder();
        var rows = results.Where(r => r.StartToReadyMs is null).GroupBy(r => (r.Scenario, r.Bot)).ToList();
        if (rows.Count > 0)
        {
            text.AppendLine("| scenario | bot | runs | offered | done | rate/s (min–max) | ≤ 3 s | p50 ms | p99 ms | max ms | TCP conns | CPU ms/req | SupportBot ÷ other | note |");
            text.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|");
            foreach (var row in rows)
            {
                var runs = row.ToList();
                text.Append(CultureInfo.InvariantCulture, $"| {row.Key.Scenario} | {row.Key.Bot} | {runs.Count} | {Median(runs, r => r.Offered):N0} | {Median(runs, r => r.Done):N0} | ")
                    .Append(CultureInfo.InvariantCulture, $"{Median(runs, r => r.Rate):N0} ({runs.Min(r => r.Rate):N0}–{runs.Max(r => r.Rate):N0}) | {Median(runs, r => r.WithinDeadline):N0} | ")
                    .Append(CultureInfo.InvariantCulture, $"{Median(runs, r => r.P50):N1} | {Median(runs, r => r.P99):N1} | {Median(runs, r => r.Max):N0} | {Median(runs, r => r.Connections):N0} | ")
                    .AppendLine(CultureInfo.InvariantCulture, $"{Median(runs, r => r.CpuMsPerRequest):N3} | {Ratio(results, row.Key.Scenario, row.Key.Bot)} | {string.Join("; ", runs.Select(r => r.Note).Where(n => n.Length > 0).Distinct())} |");
            }
        }

        var startups = results.Where(r => r.StartToReadyMs is not null).GroupBy(r => (r.Scenario, r.Bot)).ToList();
        if (startups.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("| start-up | bot | runs | start to ready ms (min–max) | CPU ms to ready (min–max) | idle RSS MB (min–max) |");
            text.AppendLine("|---|---|--:|--:|--:|--:|");
            foreach (var row in startups)
            {
                var runs = row.ToList();
                text.Append(CultureInfo.InvariantCulture, $"| {row.Key.Scenario} | {row.Key.Bot} | {runs.Count} | {Median(runs, r => r.StartToReadyMs):N0} ({runs.Min(r => r.StartToReadyMs):N0}–{runs.Max(r => r.StartToReadyMs):N0}) | ")
                    .Append(CultureInfo.InvariantCulture, $"{Median(runs, r => r.ReadyCpuMs):N0} ({runs.Min(r => r.ReadyCpuMs):N0}–{runs.Max(r => r.ReadyCpuMs):N0}) | ")
                    .AppendLine(CultureInfo.InvariantCulture, $"{Median(runs, r => r.RssMb):N1} ({runs.Min(r => r.RssMb):N1}–{runs.Max(r => r.RssMb):N1}) |");
            }
        }

        return text.ToString().Replace("NaN", "–", StringComparison.Ordinal);
    }

    public static double Median<T>(IReadOnlyList<T> runs, Func<T, double?> value)
    {
        var values = runs.Select(value).Where(v => v is { } d && !double.IsNaN(d)).Select(v => v!.Value).Order().ToArray();
        return values.Length == 0 ? double.NaN
            : values.Length % 2 == 1 ? values[values.Length / 2]
            : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }

    /// <summary>On SupportBot's row: the median of SupportBot's rate over the other bot's in the same round (run i against run i), which holds when the machine's speed drifts.</summary>
    private static string Ratio(IReadOnlyList<Measurement> results, string scenario, string bot)
    {
        if (bot != Contenders.SupportBotName)
        {
            return "";
        }

        var ours = results.Where(r => r.Scenario == scenario && r.Bot == bot).ToList();
        var theirs = results.Where(r => r.Scenario == scenario && r.Bot != bot).ToList();
        if (theirs.Count == 0)
        {
            return "";
        }

        var ratios = ours.Zip(theirs, (a, b) => a.Rate / b.Rate).Where(r => !double.IsNaN(r) && !double.IsInfinity(r)).ToList();
        return ratios.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"{Median(ratios, r => r):N2}× {theirs[0].Bot}");
    }
}
