namespace SupportBot.Core.Triage;

/// <summary>
/// The kinds of risk this service meets. The kind decides the answer: risk from oneself brings crisis lines,
/// danger from another person brings the emergency number first and then sexual-assault and domestic-violence lines.
/// </summary>
public enum RiskKind
{
    /// <summary>Suicidal thoughts or plans.</summary>
    Suicide,

    /// <summary>Means and preparation: pills saved or taken, a rope, a bridge, goodbyes, things given away.</summary>
    Means,

    /// <summary>Hurting oneself.</summary>
    SelfHarm,

    /// <summary>Danger right now from a person: outside, at the door, following, hitting, choking, locking in.</summary>
    Danger,

    /// <summary>Threats by the helper: to kill, to hurt, to publish photos, to harm children.</summary>
    Threat,

    /// <summary>"I can't keep myself safe."</summary>
    Unsafe,
}

public static class RiskKinds
{
    /// <summary>The names used in prompts/triage.json, in the order of <see cref="RiskKind"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["suicide", "means", "self-harm", "danger", "threat", "unsafe"];

    public static bool TryParse(string name, out RiskKind kind)
    {
        var index = Names.ToList().IndexOf(name);
        kind = (RiskKind)Math.Max(index, 0);
        return index >= 0;
    }

    public static string Name(this RiskKind kind) => Names[(int)kind];

    /// <summary>True when the danger comes from another person rather than from the person themselves.</summary>
    public static bool IsFromAnotherPerson(this RiskKind kind) => kind is RiskKind.Danger or RiskKind.Threat;
}
