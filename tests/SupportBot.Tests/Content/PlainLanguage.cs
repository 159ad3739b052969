using System.Text.Json;
using System.Text.RegularExpressions;

namespace SupportBot.Tests.Content;

/// <summary>Reads the sentences a person sees out of a content file, and checks them for blame and length.</summary>
internal static partial class PlainLanguage
{
    // Members whose values are not prose: references, codes, numbers, keys and match lists.
    private static readonly HashSet<string> NotProse = new(StringComparer.Ordinal)
    {
        "source", "url", "phone", "lastChecked", "taken", "for", "id", "category", "severity", "key", "aliases", "profession", "phrases",
    };

    // Phrases that put responsibility on the person harmed. Each is matched on whole words, ignoring case.
    private static readonly string[] BlamingPhrases =
    [
        "you should have", "you shouldn't have", "you should not have", "why didn't you", "why did you", "why did not you",
        "you let", "you allowed", "you led him on", "you led her on", "you led them on", "you asked for it",
        "you encouraged", "you invited it", "your fault", "your own fault", "you are to blame", "you were to blame",
        "you're to blame", "your responsibility to stop",
    ];

    // Sentences that say the opposite of blame. They are removed before the blaming phrases are looked for, so
    // "It is not your fault" passes but "It is not your fault, but it is partly your fault" does not.
    [GeneratedRegex(@"\b(?:is not|isn't|was not|wasn't|never|not)\s+(?:was\s+|is\s+)?(?:your\s+(?:own\s+)?fault)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NotYourFault();

    [GeneratedRegex(@"^\+?[0-9]+( [0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex NumberOnly();

    [GeneratedRegex(@"(?<=[.!?])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBreak();

    /// <summary>The prose strings in a JSON content file (comments allowed).</summary>
    public static IReadOnlyList<string> ProseIn(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        var prose = new List<string>();
        Collect(document.RootElement, null, prose);
        return prose;
    }

    public static IEnumerable<string> Sentences(string text) =>
        SentenceBreak().Split(text.Trim()).Where(s => s.Length > 0);

    public static int Words(string sentence) => sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>The blaming phrase found in the sentence, or null if it has none.</summary>
    public static string? Blame(string sentence)
    {
        var cleaned = NotYourFault().Replace(sentence.Replace('’', '\''), " ");
        return BlamingPhrases.FirstOrDefault(p =>
            Regex.IsMatch(cleaned, $@"\b{Regex.Escape(p)}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));
    }

    private static void Collect(JsonElement element, string? member, List<string> prose)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Collect(property.Value, property.Name, prose);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item, member, prose);
                }

                break;
            case JsonValueKind.String:
                var value = element.GetString()!;

                // A crisis line's "text" is a number to text, not prose.
                if ((member is null || !NotProse.Contains(member)) && !NumberOnly().IsMatch(value))
                {
                    prose.Add(value);
                }

                break;
            default:
                break;
        }
    }
}
