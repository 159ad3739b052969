using System.Text.Json;
using System.Text.RegularExpressions;

namespace SupportBot.Tests.Content;

/// <summary>
/// What a person reads, sources included, is followable text and never our working notes: no "research report table
/// b1", no "our copy ends after Wisconsin", no "we have not confirmed", no claimed "last checked" date.
/// </summary>
public sealed partial class WorkingNotesTests
{
    // Members a person never sees: dates kept for admins, keys, codes and the phrases matched in direct messages.
    private static readonly HashSet<string> NotShown = new(StringComparer.Ordinal)
    {
        "taken", "lastChecked", "id", "category", "severity", "key", "profession", "for", "aliases", "phrases",
    };

    public static TheoryData<string> Files => new(PromptsFolder.ContentFiles().Select(PromptsFolder.Relative));

    [GeneratedRegex(
        @"\b(?:research (?:report|notes?)|our research|report (?:table|section|list)|table|list item|item \d+|section \([a-z]\)|not researched|our copy|not confirmed|(?:we|i) (?:have not|haven't|could not|couldn't) confirm(?:ed)?|last checked|older pages)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WorkingNote();

    [Theory]
    [InlineData("Research report table b1 (state licensing boards)")]
    [InlineData("Not confirmed: research report list (f), item 15")]
    [InlineData("MacIntyre & Appel 2020, Table 1 (our copy ends after Wisconsin)")]
    [InlineData("We have not confirmed how civil claims work in Ireland.")]
    [InlineData("(Source: samaritans.org; last checked 2026-11-23)")]
    [InlineData("rapecrisisscotland.org.uk (number); hours from older pages")]
    [InlineData("Research report section (c), emergency numbers")]
    public void The_check_catches_working_notes(string text)
    {
        Assert.Matches(WorkingNote(), text);
    }

    [Theory]
    [InlineData("You can report a crime to the police.")]
    [InlineData("If you say yes, they report it within 30 days.")]
    [InlineData("Health and Care Professions Council, raising a concern (hcpc-uk.org)")]
    public void The_check_leaves_plain_words_alone(string text)
    {
        Assert.DoesNotMatch(WorkingNote(), text);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void No_text_a_person_sees_reads_like_a_working_note(string file)
    {
        using var document = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(PromptsFolder.Real, file)),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });

        var notes = Shown(document.RootElement, "")
            .Where(x => WorkingNote().IsMatch(x.Text))
            .Select(x => $"{x.Path}: {x.Text}")
            .ToList();

        Assert.True(notes.Count == 0, string.Join("\n", notes));
    }

    private static IEnumerable<(string Path, string Text)> Shown(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject().Where(m => !NotShown.Contains(m.Name)))
                {
                    foreach (var found in Shown(member.Value, $"{path}.{member.Name}"))
                    {
                        yield return found;
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var found in Shown(item, $"{path}[{index++}]"))
                    {
                        yield return found;
                    }
                }

                break;
            case JsonValueKind.String:
                yield return (path, element.GetString()!);
                break;
        }
    }
}
