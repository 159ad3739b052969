namespace SupportBot.Core.Triage;

/// <summary>
/// A rule or the model that fired: its kind decides the answer, its id says why (for admins and tests, never for
/// volunteers). For the model the id is "model" and <see cref="Features"/> names the features that weighed most; they
/// are made of the survivor's words, so they are never logged.
/// </summary>
public sealed record RiskFinding(RiskKind Kind, string RuleId, IReadOnlyList<string>? Features = null);

/// <summary>What the detector found in one message: at most one finding per kind, in the order of the kinds.</summary>
public sealed record RiskAssessment(IReadOnlyList<RiskFinding> Findings)
{
    public static readonly RiskAssessment None = new([]);

    public bool IsRisk => Findings.Count > 0;

    /// <summary>Someone else is the danger (a person at the door, a threat by the helper).</summary>
    public bool FromAnotherPerson => Findings.Any(f => f.Kind.IsFromAnotherPerson());

    /// <summary>The person may harm themselves (suicidal thoughts, means, self-harm, cannot keep safe).</summary>
    public bool FromThemselves => Findings.Any(f => !f.Kind.IsFromAnotherPerson());
}

/// <summary>Why a rule that matched did or did not fire; <see cref="RiskDetector.Explain"/> lists these for admins.</summary>
public enum MatchOutcome
{
    Fired,
    Negated,
    Past,

    /// <summary>
    /// The rule matched, but the trained model gave neither the message nor the sentence it matched in the rule gate's
    /// probability of risk ("ran 5 kms this morning"), so it raised nothing.
    /// </summary>
    Doubted,
}

public sealed record RuleMatch(string RuleId, RiskKind Kind, MatchOutcome Outcome)
{
    /// <summary>The word the match starts at, so the model can read the sentence it is in.</summary>
    internal int Start { get; init; }
}
