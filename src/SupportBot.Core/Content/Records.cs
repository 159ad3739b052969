using System.Text.Json.Serialization;

namespace SupportBot.Core.Content;

// The records an admin edits as JSON in prompts/. The loader sets each Key from the file name, so a file
// name is the key a person types (/redflags therapist reads prompts/redflags/therapist.json).

/// <summary>How serious a red flag is, from a crossing worth naming to a violation of every professional code.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Severity>))]
public enum Severity
{
    Crossing,
    Warning,
    Violation,
}

public sealed record RedFlagList(string Title, string Helper, string Intro, IReadOnlyList<RedFlagItem> Items, string LastChecked)
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

/// <summary>How to complain in one jurisdiction (a country).</summary>
public sealed record ComplaintGuide(
    string Title,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<Guidance> FirstSteps,
    IReadOnlyList<ComplaintRoute> Routes,
    IReadOnlyList<Guidance> AfterFiling,
    IReadOnlyList<Guidance> Criminal,
    IReadOnlyList<Guidance> Civil,
    IReadOnlyList<Guidance> Support,
    string LastChecked)
{
    [JsonIgnore]
    public string Key { get; init; } = "";
}

/// <summary>A sentence of guidance; a factual one carries its source.</summary>
public sealed record Guidance(string Text, string? Source = null);

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

/// <summary>A crisis or support line. At least one of phone, text or url is set.</summary>
public sealed record CrisisLine(
    string Name,
    string Description,
    string Hours,
    string Source,
    string LastChecked,
    string? Phone = null,
    string? Text = null,
    string? Url = null);

/// <summary>Words that suggest someone may be in immediate danger; a match brings crisis lines at once.</summary>
public sealed record DangerPhrases(IReadOnlyList<string> Phrases);

/// <summary>/boundaries: what a healthy helping relationship looks like, for comparison.</summary>
public sealed record BoundariesGuide(string Title, string Intro, IReadOnlyList<BoundarySection> Sections, string LastChecked);

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
    IReadOnlyList<CompanionOption> Evidence,
    IReadOnlyList<CompanionOption> Wants);

public sealed record CompanionOption(string Key, string Label);
