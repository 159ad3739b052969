using System.Text.Json.Serialization;

namespace SupportBot.Core.Content;

// The records an admin edits as JSON in prompts/. The loader sets each Key from the file name, so a file
// name is the key a person types (/redflags therapist reads prompts/redflags/therapist.json).

/// <summary>How serious a red flag is, from a crossing worth naming to a breach of the codes or laws that cover the helper.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Severity>))]
public enum Severity
{
    Crossing,
    Warning,
    Violation,
}

// "taken" is the day the facts in a file were taken from their sources. It is for admins reviewing the content and is
// never shown: it does not claim that anyone checked the live pages that day.

public sealed record RedFlagList(string Title, string Helper, string Intro, IReadOnlyList<RedFlagItem> Items, string Taken)
{
    [JsonIgnore]
    public string Key { get; init; } = "";
}

/// <summary>One sign on a checklist: what it looks like, why it matters, how serious it is and where that comes from.</summary>
public sealed record RedFlagItem(string Id, string Text, string Category, Severity Severity, string Why, string Source);

public sealed record ReflectionTheme(string Title, string Intro, IReadOnlyList<string> Prompts)
{
    [JsonIgnore]
    public string Key { get; init; } = "";
}

/// <summary>A kind of helper a complaint can be about; routes name it by <see cref="Key"/>.</summary>
public sealed record Profession(string Key, string Label, IReadOnlyList<string> Aliases);

/// <summary>
/// How to complain in one jurisdiction (a country). <see cref="Subregions"/> is trailing and optional so that a
/// country file without states or provinces still loads as before.
/// </summary>
public sealed record ComplaintGuide(
    string Title,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<Guidance> FirstSteps,
    IReadOnlyList<ComplaintRoute> Routes,
    IReadOnlyList<Guidance> AfterFiling,
    IReadOnlyList<Guidance> Criminal,
    IReadOnlyList<Guidance> Civil,
    IReadOnlyList<Guidance> Support,
    string Taken,
    IReadOnlyList<Subregion>? Subregions = null)
{
    [JsonIgnore]
    public string Key { get; init; } = "";

    /// <summary>The states, provinces or territories, in file order; empty for a country without them.</summary>
    [JsonIgnore]
    public IReadOnlyList<Subregion> Parts => Subregions ?? [];

    public Subregion? FindSubregion(string typed) => Parts.FirstOrDefault(s => s.Matches(typed));

    /// <summary>The route for a profession: the subregion's own if it has one, else the country's.</summary>
    public ComplaintRoute? RouteFor(string profession, Subregion? subregion) =>
        subregion?.Routes.FirstOrDefault(r => r.Profession == profession) ?? Routes.FirstOrDefault(r => r.Profession == profession);

    /// <summary>What happens after filing about this profession: the entries for it and those for every profession.</summary>
    public IReadOnlyList<Guidance> AfterFilingFor(string profession) => AfterFiling.Where(g => g.AppliesTo(profession)).ToList();
}

/// <summary>
/// A state, province or territory. Everything but the key and name is optional: a subregion the research says
/// nothing about is listed only so people can choose it, and the country's routes apply there.
/// </summary>
public sealed record Subregion(
    string Key,
    string Name,
    IReadOnlyList<string>? Aliases = null,
    IReadOnlyList<ComplaintRoute>? Routes = null,
    IReadOnlyList<Guidance>? Criminal = null,
    IReadOnlyList<Guidance>? Civil = null,
    IReadOnlyList<Guidance>? Notes = null)
{
    // Omitted lists read as empty, so callers never test for null. (Defaults on init properties are not kept by
    // the source-generated deserializer, hence constructor parameters.)

    /// <summary>Other names people type: full names, postal abbreviations.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = Aliases ?? [];

    /// <summary>Routes that replace the country's route for the same profession here.</summary>
    public IReadOnlyList<ComplaintRoute> Routes { get; init; } = Routes ?? [];

    public IReadOnlyList<Guidance> Criminal { get; init; } = Criminal ?? [];

    public IReadOnlyList<Guidance> Civil { get; init; } = Civil ?? [];

    /// <summary>Other facts for this place, such as duties on later therapists; shown before the country's "after filing".</summary>
    public IReadOnlyList<Guidance> Notes { get; init; } = Notes ?? [];

    public bool Matches(string typed)
    {
        var t = typed.Trim();
        return string.Equals(Key, t, StringComparison.OrdinalIgnoreCase) || string.Equals(Name, t, StringComparison.OrdinalIgnoreCase)
            || Aliases.Any(a => string.Equals(a, t, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// A sentence of guidance; a factual one carries its source. <see cref="For"/> limits it to some professions (by key),
/// so that "after filing" says what the body for that profession does; without it, it applies to every profession.
/// </summary>
public sealed record Guidance(string Text, string? Source = null, IReadOnlyList<string>? For = null)
{
    public bool AppliesTo(string profession) => For is null || For.Contains(profession, StringComparer.Ordinal);
}

/// <summary>The body that handles complaints about one profession, and how to reach it.</summary>
public sealed record ComplaintRoute(
    string Profession,
    string Body,
    string HowToReach,
    string Source,
    string? Url = null,
    string? TimeLimit = null);

public sealed record CrisisDirectory(IReadOnlyList<CountryLines> Countries, IReadOnlyList<CrisisLine> International);

public sealed record CountryLines(string Key, string Name, IReadOnlyList<string> Aliases, IReadOnlyList<CrisisLine> Lines);

/// <summary>
/// A crisis or support line. At least one of phone, text or url is set. <see cref="For"/> says what the line is for
/// (<see cref="LinePurposes"/>), so someone in danger from a person is shown the emergency number and the
/// sexual-assault and domestic-violence lines, and someone at risk of harming themselves the crisis lines.
/// </summary>
public sealed record CrisisLine(
    string Name,
    string Description,
    string Hours,
    string Source,
    string LastChecked,
    string? Phone = null,
    string? Text = null,
    string? Url = null,
    IReadOnlyList<string>? For = null)
{
    public bool IsFor(string purpose) => For?.Contains(purpose, StringComparer.Ordinal) == true;
}

/// <summary>The values of a crisis line's "for" in prompts/crisis-lines.json.</summary>
public static class LinePurposes
{
    public const string Emergency = "emergency";
    public const string Crisis = "crisis";
    public const string SexualAssault = "sexual-assault";
    public const string DomesticViolence = "domestic-violence";
    public const string Support = "support";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Emergency, Crisis, SexualAssault, DomesticViolence, Support,
    };
}

/// <summary>/boundaries: what a healthy helping relationship looks like, for comparison.</summary>
public sealed record BoundariesGuide(string Title, string Intro, IReadOnlyList<BoundarySection> Sections, string Taken);

public sealed record BoundarySection(string Heading, IReadOnlyList<Guidance> Points);

/// <summary>
/// The complaint companion's words: its questions, the choices for evidence and wishes, and the headings of the
/// draft it writes. Placeholders in {Braces} are filled by the bot.
/// </summary>
public sealed record CompanionText(
    string StartButton,
    string Started,
    string Intro,
    string AskProfession,
    string AskRegion,
    string AskWhat,
    string AskWhen,
    string AskEvidence,
    string AskWants,
    string Skip,
    string Stop,
    string Stopped,
    string AskKeep,
    string Keep,
    string DontKeep,
    string Kept,
    string Deleted,
    string SavedDraftExists,
    string ShowSaved,
    string StartAgain,
    string DraftHeading,
    string ToHeading,
    string NoBody,
    string WhatHeading,
    string TimelineHeading,
    string TimelineWhen,
    string TimelineToday,
    string EvidenceHeading,
    string EvidenceHave,
    string EvidenceMissing,
    string WantsHeading,
    string TimeLimitHeading,
    string NoTimeLimit,
    string NextHeading,
    string SupportText,
    string Skipped,
    string Next,
    IReadOnlyList<CompanionOption> Evidence,
    IReadOnlyList<CompanionOption> Wants,
    string AskSubregion,
    string CriminalNext);

public sealed record CompanionOption(string Key, string Label);

/// <summary>prompts/snippets.json: canned replies a volunteer sends with /snippet name, in their own voice.</summary>
public sealed record SnippetBook(IReadOnlyList<Snippet> Snippets)
{
    public Snippet? Find(string name) => Snippets.FirstOrDefault(s => string.Equals(s.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>One canned reply. {Name} in <see cref="Text"/> becomes the name the survivor is known by.</summary>
public sealed record Snippet(string Name, string Description, string Text);
