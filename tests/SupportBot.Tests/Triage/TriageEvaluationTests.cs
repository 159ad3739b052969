using SupportBot.Core.Triage;
using SupportBot.Tests.Content;
using Xunit.Abstractions;

namespace SupportBot.Tests.Triage;

/// <summary>
/// Measures the detector on the evaluation sets and fails below the goals of issue 10. The held-out set was written
/// and committed before prompts/triage.json existed and is never used to tune it, so its figures are the honest ones;
/// its misses are not printed, only its figures. The development set, tuned on, must do better.
/// </summary>
public sealed class TriageEvaluationTests(ITestOutputHelper output)
{
    private static readonly RiskDetector Detector = PromptsFolder.LoadReal().Triage;

    [Fact]
    public void Held_out_set_reaches_95_percent_recall_with_at_most_5_percent_false_alarms()
    {
        var score = Measure("heldout", printMisses: false);

        Assert.True(score.Recall >= 0.95, $"Held-out recall {score.Recall:P1} is below 95 %.");
        Assert.True(score.FalseAlarmRate <= 0.05, $"Held-out false alarms {score.FalseAlarmRate:P1} are above 5 %.");
    }

    [Fact]
    public void Development_set_does_better_than_the_goal()
    {
        var score = Measure("dev", printMisses: true);

        Assert.True(score.Recall >= 0.98, $"Development recall {score.Recall:P1} is below 98 %.");
        Assert.True(score.FalseAlarmRate <= 0.02, $"Development false alarms {score.FalseAlarmRate:P1} are above 2 %.");
    }

    [Fact]
    public void Both_sets_together_hold_at_least_300_risk_and_300_ordinary_messages_of_every_kind()
    {
        var all = EvaluationSet.Load("heldout").Concat(EvaluationSet.Load("dev")).ToList();

        Assert.True(all.Count(c => c.IsRisk) >= 300, $"{all.Count(c => c.IsRisk)} risk messages");
        Assert.True(all.Count(c => !c.IsRisk) >= 300, $"{all.Count(c => !c.IsRisk)} ordinary messages");
        Assert.All(RiskKinds.Names, kind => Assert.True(all.Count(c => c.Kind == kind) >= 40, $"{kind}: fewer than 40"));
        Assert.All(all, c => Assert.True(c.Kind == "none" || RiskKinds.TryParse(c.Kind, out _), $"line {c.Line}: unknown kind {c.Kind}"));
    }

    [Fact]
    public void The_sets_do_not_share_messages()
    {
        var heldOut = EvaluationSet.Load("heldout").Select(c => c.Text.ToLowerInvariant()).ToHashSet();
        var shared = EvaluationSet.Load("dev").Where(c => heldOut.Contains(c.Text.ToLowerInvariant())).Select(c => c.Text).ToList();

        Assert.Empty(shared);
    }

    private Score Measure(string set, bool printMisses)
    {
        var cases = EvaluationSet.Load(set);
        var risk = cases.Where(c => c.IsRisk).ToList();
        var ordinary = cases.Where(c => !c.IsRisk).ToList();
        var missed = risk.Where(c => !Detector.Assess(c.Text).IsRisk).ToList();
        var alarms = ordinary.Select(c => (Case: c, Found: Detector.Assess(c.Text))).Where(x => x.Found.IsRisk).ToList();
        var kindRight = risk.Count(c => Detector.Assess(c.Text).Findings.Any(f => f.Kind.Name() == c.Kind));
        var score = new Score((double)(risk.Count - missed.Count) / risk.Count, (double)alarms.Count / ordinary.Count);

        output.WriteLine($"{set}: recall {score.Recall:P1} ({risk.Count - missed.Count}/{risk.Count}), " +
            $"false alarms {score.FalseAlarmRate:P1} ({alarms.Count}/{ordinary.Count}), right kind among fired {kindRight}/{risk.Count - missed.Count}");
        foreach (var kind in RiskKinds.Names)
        {
            var ofKind = risk.Where(c => c.Kind == kind).ToList();
            output.WriteLine($"  {kind}: recall {ofKind.Count(c => Detector.Assess(c.Text).IsRisk)}/{ofKind.Count}");
        }

        if (printMisses)
        {
            missed.ForEach(c => output.WriteLine($"  missed (line {c.Line}, {c.Kind}): {c.Text}"));
            alarms.ForEach(x => output.WriteLine($"  false alarm (line {x.Case.Line}, {x.Found.Findings[0].RuleId}): {x.Case.Text}"));
        }

        return score;
    }

    private sealed record Score(double Recall, double FalseAlarmRate);
}
