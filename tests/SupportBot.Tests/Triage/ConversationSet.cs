using SupportBot.Core.Triage;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Triage;

/// <summary>One survivor's direct messages in order, and the kind of the whole conversation ("none" for ordinary).</summary>
internal sealed record EvaluationConversation(string Id, string Kind, IReadOnlyList<string> Messages)
{
    public bool IsRisk => Kind != "none";
}

/// <summary>
/// Reads a conversation set, tests/SupportBot.Tests/Triage/{name}.tsv: a first line "# ...", then lines
/// id&lt;TAB&gt;kind&lt;TAB&gt;message; lines with the same id are one survivor's messages in order.
/// </summary>
internal static class ConversationSet
{
    public static IReadOnlyList<EvaluationConversation> Load(string name)
    {
        var path = Path.Combine(TestPaths.RepoRoot, "tests", "SupportBot.Tests", "Triage", name + ".tsv");
        var conversations = new List<(string Id, string Kind, List<string> Messages)>();
        foreach (var (line, number) in File.ReadLines(path).Select((line, index) => (line, index + 1)))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.Split('\t', 3) is not [var id, var kind, var text])
            {
                throw new InvalidDataException($"{name}.tsv line {number}: expected id<TAB>kind<TAB>message.");
            }

            if (kind != "none" && !RiskKinds.TryParse(kind, out _))
            {
                throw new InvalidDataException($"{name}.tsv line {number}: kind should be none or one of {string.Join(", ", RiskKinds.Names)}.");
            }

            if (conversations.Count > 0 && conversations[^1].Id == id)
            {
                conversations[^1].Messages.Add(text);
            }
            else
            {
                conversations.Add((id, kind, [text]));
            }
        }

        return [.. conversations.Select(c => new EvaluationConversation(c.Id, c.Kind, c.Messages))];
    }
}
