using SupportBot.Tests.Support;

namespace SupportBot.Tests.Triage;

/// <summary>One message of an evaluation set: the kind of risk it signals, or "none".</summary>
internal sealed record EvaluationCase(string Kind, string Text, int Line)
{
    public bool IsRisk => Kind != "none";
}

/// <summary>Reads tests/SupportBot.Tests/Triage/Eval/*.tsv (format in the README beside them).</summary>
internal static class EvaluationSet
{
    public static string Folder => Path.Combine(TestPaths.RepoRoot, "tests", "SupportBot.Tests", "Triage", "Eval");

    public static IReadOnlyList<EvaluationCase> Load(string name) =>
        File.ReadLines(Path.Combine(Folder, name + ".tsv"))
            .Select((line, index) => (line, index))
            .Where(x => x.line.Length > 0 && !x.line.StartsWith('#'))
            .Select(x => x.line.Split('\t', 2) is [var kind, var text]
                ? new EvaluationCase(kind, text, x.index + 1)
                : throw new InvalidDataException($"{name}.tsv line {x.index + 1}: expected kind<TAB>message."))
            .ToList();
}
