using SupportBot.Core.Triage;
using SupportBot.Tests.Content;
using Xunit.Abstractions;

namespace SupportBot.Tests.Triage;

/// <summary>
/// Measures triage on conversations: a survivor's direct messages in order, each triaged as the bot triages it. A risk
/// conversation counts as caught when an alert came at or before its last message; an ordinary one counts as alerted
/// when any of its messages alerted, which is what a survivor who is safe meets over a few messages. Only totals are
/// printed, never a conversation or a miss: a set written blind stays blind.
/// </summary>
public sealed class ConversationEvaluationTests(ITestOutputHelper output)
{
    private static readonly RiskDetector Detector = PromptsFolder.LoadReal().Triage;

    /// <summary>
    /// Every conversation set measured, and what it must hold: a floor on risk conversations caught and a ceiling on
    /// ordinary conversations alerted, in tenths of a percent, at most a tenth under and over the figure last measured.
    /// This is the one list of conversation sets: a set is measured when it has a row here. The story of each row is in
    /// Eval/README.md.
    /// </summary>
    public static TheoryData<string, int, int> ConversationFloors => new()
    {
        // set under Triage/ without ".tsv", risk caught floor and ordinary alerted ceiling in tenths of a percent
        { "Eval/convo1", 979, 171 },      // unseen: 96.0 / 12.0 % first (after train44), 97.0 / 13.0 after train53, 96.0 / 14.0 after train55, 96.0 / 12.0 after train56, 98.0 / 17.0 at the 6.5 % budget
        { "Eval/convo2", 929, 181 },      // unseen: 91.0 / 15.0 % first (after train44), 92.0 / 14.0 after train53, 93.0 / 16.0 after train55, 93.0 / 17.0 after train56, 93.0 / 18.0 at the 6.5 % budget
    };

    [Theory]
    [MemberData(nameof(ConversationFloors))]
    public void Conversation_set_does_not_fall_below_its_measured_floor(string set, int caughtPermille, int alertedPermille)
    {
        var conversations = ConversationSet.Load(set);
        var risk = conversations.Where(c => c.IsRisk).ToList();
        var ordinary = conversations.Where(c => !c.IsRisk).ToList();

        var caught = risk.Count(c => c.Messages.Any(m => Detector.Assess(m).IsRisk));
        var alerted = ordinary.Count(c => c.Messages.Any(m => Detector.Assess(m).IsRisk));
        output.WriteLine($"{set}: {risk.Count} risk and {ordinary.Count} ordinary conversations, {conversations.Sum(c => c.Messages.Count)} messages");
        output.WriteLine($"  risk caught {Percent(caught, risk.Count)}, ordinary alerted {Percent(alerted, ordinary.Count)}");

        var caughtShare = (double)caught / risk.Count;
        var alertedShare = (double)alerted / ordinary.Count;
        Assert.True(caughtShare >= caughtPermille / 1000.0, $"{set}: risk conversations caught {caughtShare:P1} fell below the floor of {caughtPermille / 10.0:F1} %.");
        Assert.True(alertedShare <= alertedPermille / 1000.0, $"{set}: ordinary conversations alerted {alertedShare:P1} rose above the ceiling of {alertedPermille / 10.0:F1} %.");
    }

    private static string Percent(int count, int of) => $"{100.0 * count / of:F1} % ({count}/{of})";
}
