using SupportBot.Core.Content;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Slack;

/// <summary>
/// The real prompts/ when they are complete; otherwise the real messages.json plus a minimal set of content files
/// written here, so the adapter tests do not depend on which content exists in a branch. Tests read keys from the
/// catalog rather than assuming them.
/// </summary>
internal static class TestContent
{
    private static readonly Lazy<ContentCatalog> Catalog = new(LoadOnce);

    public static ContentCatalog Load() => Catalog.Value;

    private static ContentCatalog LoadOnce()
    {
        try
        {
            return ContentCatalog.Load(TestPaths.Prompts);
        }
        catch (ContentException)
        {
            var dir = Directory.CreateTempSubdirectory("supportbot-content-").FullName;
            File.Copy(Path.Combine(TestPaths.Prompts, "messages.json"), Path.Combine(dir, "messages.json"));
            Directory.CreateDirectory(Path.Combine(dir, "redflags"));
            Directory.CreateDirectory(Path.Combine(dir, "reflections"));
            Directory.CreateDirectory(Path.Combine(dir, "complaints"));
            var items = string.Join(",\n", Enumerable.Range(1, 12).Select(i =>
                $$"""{ "id": "sign-{{i}}", "text": "Sign number {{i}}: they asked you to keep a secret about the sessions, which is a long sentence that goes past seventy-five characters.", "category": "secrecy", "severity": "{{(i % 3 == 0 ? "Violation" : "Warning")}}", "why": "Reason {{i}}.", "source": "Test source {{i}}" }"""));
            File.WriteAllText(Path.Combine(dir, "redflags", "therapist.json"), $$"""
                { "title": "Red flags with a therapist", "helper": "therapist", "intro": "Signs to notice.", "lastChecked": "2026-11-23",
                  "items": [ {{items}} ] }
                """);
            File.WriteAllText(Path.Combine(dir, "reflections", "feelings.json"), """
                { "title": "Feelings", "intro": "Take what helps.", "prompts": [ "What do you feel?", "What do you need?" ] }
                """);
            File.WriteAllText(Path.Combine(dir, "professions.json"), """
                [ { "key": "counsellor", "label": "Counsellor", "aliases": ["therapist"] } ]
                """);
            File.WriteAllText(Path.Combine(dir, "complaints", "uk.json"), """
                { "title": "United Kingdom", "aliases": ["britain"], "firstSteps": [ { "text": "Write down what happened." } ],
                  "routes": [ { "profession": "counsellor", "body": "A test body", "howToReach": "Online form", "source": "Test" } ],
                  "afterFiling": [], "criminal": [], "civil": [], "support": [], "lastChecked": "2026-11-23" }
                """);
            File.WriteAllText(Path.Combine(dir, "crisis-lines.json"), """
                { "countries": [ { "key": "uk", "name": "United Kingdom", "aliases": [], "lines": [
                    { "name": "Test line", "description": "A test line.", "hours": "24/7", "phone": "000", "source": "Test", "lastChecked": "2026-11-23" } ] } ],
                  "international": [ { "name": "Test directory", "description": "Find a line.", "hours": "24/7", "url": "https://example.org", "source": "Test", "lastChecked": "2026-11-23" } ] }
                """);
            File.WriteAllText(Path.Combine(dir, "danger-phrases.json"), """{ "phrases": [ "kill myself", "end my life" ] }""");
            return ContentCatalog.Load(dir);
        }
    }
}
