using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SupportBot.Core.Content;

/// <summary>Checks that reach across files or that JSON shape alone cannot express.</summary>
internal static partial class ContentValidator
{
    /// <summary>The red-flag categories the commands group by; prompts/README.md explains each one.</summary>
    public static readonly IReadOnlySet<string> Categories = new HashSet<string>(StringComparer.Ordinal)
    {
        "sexual", "special", "frame", "helper-needs", "money", "substances", "contact", "ending", "healing-excuse",
    };

    /// <summary>Digits in groups separated by single spaces, with an optional leading +: "988", "116 123", "+1 800 656 4673".</summary>
    [GeneratedRegex(@"^\+?[0-9]+( [0-9]+)*$", RegexOptions.CultureInvariant)]
    public static partial Regex PhoneFormat();

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex KebabCase();

    public static void Validate(ContentCatalog catalog)
    {
        ValidateRedFlags(catalog.RedFlags);
        ValidateReflections(catalog.Reflections);
        var professions = ValidateProfessions(catalog.Professions);
        ValidateComplaints(catalog.Complaints, professions);
        ValidateCrisis(catalog.Crisis);
    }

    public static void ValidateDanger(DangerPhrases danger)
    {
        const string File = "danger-phrases.json";
        Require(danger.Phrases.Count > 0, $"{File}: the list of phrases is empty.");
        for (var i = 0; i < danger.Phrases.Count; i++)
        {
            var phrase = danger.Phrases[i];
            Require(!string.IsNullOrWhiteSpace(phrase) && phrase.Trim().Length > 1,
                $"{File}: phrase {i + 1} is empty or a single letter.");
        }
    }

    private static void ValidateRedFlags(IReadOnlyList<RedFlagList> lists)
    {
        RequireUniqueKeys(lists.Select(l => l.Key), "redflags");
        foreach (var list in lists)
        {
            var file = $"redflags/{list.Key}.json";
            RequireText(list.Title, file, "title");
            RequireText(list.Helper, file, "helper");
            RequireText(list.Intro, file, "intro");
            RequireDate(list.LastChecked, file, "lastChecked");
            Require(list.Items.Count > 0, $"{file}: the checklist has no items.");
            for (var i = 0; i < list.Items.Count; i++)
            {
                var item = list.Items[i];
                Require(item is not null, $"{file}: item {i + 1} is null.");
                var where = $"item '{item.Id}'";
                Require(!string.IsNullOrWhiteSpace(item.Id) && KebabCase().IsMatch(item.Id),
                    $"{file}: item {i + 1} needs an id in lower-case-with-dashes (found '{item.Id}').");
                RequireText(item.Text, file, $"{where} text");
                RequireText(item.Why, file, $"{where} why");
                Require(!string.IsNullOrWhiteSpace(item.Source), $"{file}: {where} has no source.");
                Require(Categories.Contains(item.Category),
                    $"{file}: {where} has category '{item.Category}'; use one of {string.Join(", ", Categories)}.");
                Require(Enum.IsDefined(item.Severity),
                    $"{file}: {where} has severity {(int)item.Severity}; use Crossing, Warning or Violation.");
            }

            var duplicate = list.Items.GroupBy(i => i.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            Require(duplicate is null, $"{file}: item id '{duplicate?.Key}' is used twice.");
        }
    }

    private static void ValidateReflections(IReadOnlyList<ReflectionTheme> themes)
    {
        RequireUniqueKeys(themes.Select(t => t.Key), "reflections");
        foreach (var theme in themes)
        {
            var file = $"reflections/{theme.Key}.json";
            RequireText(theme.Title, file, "title");
            RequireText(theme.Intro, file, "intro");
            Require(theme.Prompts.Count > 0, $"{file}: the theme has no prompts.");
            for (var i = 0; i < theme.Prompts.Count; i++)
            {
                RequireText(theme.Prompts[i], file, $"prompt {i + 1}");
            }
        }
    }

    private static HashSet<string> ValidateProfessions(IReadOnlyList<Profession> professions)
    {
        const string File = "professions.json";
        Require(professions.Count > 0, $"{File}: the list is empty.");
        for (var i = 0; i < professions.Count; i++)
        {
            var profession = professions[i];
            Require(profession is not null, $"{File}: entry {i + 1} is null.");
            Require(!string.IsNullOrWhiteSpace(profession.Key) && KebabCase().IsMatch(profession.Key),
                $"{File}: entry {i + 1} needs a key in lower-case-with-dashes (found '{profession.Key}').");
            RequireText(profession.Label, File, $"'{profession.Key}' label");
            Require(profession.Aliases.All(a => !string.IsNullOrWhiteSpace(a)), $"{File}: '{profession.Key}' has an empty alias.");
        }

        RequireUniqueKeys(professions.Select(p => p.Key), "professions.json");
        return professions.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
    }

    private static void ValidateComplaints(IReadOnlyList<ComplaintGuide> guides, HashSet<string> professions)
    {
        RequireUniqueKeys(guides.Select(g => g.Key), "complaints");
        foreach (var guide in guides)
        {
            var file = $"complaints/{guide.Key}.json";
            RequireText(guide.Title, file, "title");
            RequireDate(guide.LastChecked, file, "lastChecked");
            Require(guide.Aliases.All(a => !string.IsNullOrWhiteSpace(a)), $"{file}: an alias is empty.");
            foreach (var (name, list) in new[]
                     {
                         ("firstSteps", guide.FirstSteps), ("afterFiling", guide.AfterFiling), ("criminal", guide.Criminal),
                         ("civil", guide.Civil), ("support", guide.Support),
                     })
            {
                for (var i = 0; i < list.Count; i++)
                {
                    Require(list[i] is not null, $"{file}: {name} entry {i + 1} is null.");
                    RequireText(list[i].Text, file, $"{name} entry {i + 1}");
                    Require(list[i].Source is null || !string.IsNullOrWhiteSpace(list[i].Source),
                        $"{file}: {name} entry {i + 1} has an empty source; remove it or name the source.");
                }
            }

            foreach (var route in guide.Routes)
            {
                Require(route is not null, $"{file}: a route is null.");
                Require(professions.Contains(route.Profession),
                    $"{file}: route for unknown profession '{route.Profession}' (see professions.json).");
                RequireText(route.Body, file, $"route '{route.Profession}' body");
                RequireText(route.HowToReach, file, $"route '{route.Profession}' howToReach");
                Require(!string.IsNullOrWhiteSpace(route.Source), $"{file}: route '{route.Profession}' has no source.");
                Require(route.Url is null || Uri.TryCreate(route.Url, UriKind.Absolute, out _),
                    $"{file}: route '{route.Profession}' url '{route.Url}' is not an absolute address.");
            }

            var duplicate = guide.Routes.GroupBy(r => r.Profession, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            Require(duplicate is null, $"{file}: there are two routes for '{duplicate?.Key}'.");
        }
    }

    private static void ValidateCrisis(CrisisDirectory crisis)
    {
        const string File = "crisis-lines.json";
        RequireUniqueKeys(crisis.Countries.Select(c => c.Key), File);
        foreach (var country in crisis.Countries)
        {
            Require(country is not null, $"{File}: a country is null.");
            Require(!string.IsNullOrWhiteSpace(country.Key), $"{File}: a country has no key.");
            RequireText(country.Name, File, $"country '{country.Key}' name");
            Require(country.Lines.Count > 0, $"{File}: country '{country.Key}' has no lines.");
        }

        foreach (var line in crisis.Countries.SelectMany(c => c.Lines).Concat(crisis.International))
        {
            Require(line is not null, $"{File}: a line is null.");
            RequireText(line.Name, File, "a line's name");
            RequireText(line.Description, File, $"'{line.Name}' description");
            RequireText(line.Hours, File, $"'{line.Name}' hours");
            Require(!string.IsNullOrWhiteSpace(line.Source), $"{File}: '{line.Name}' has no source.");
            RequireDate(line.LastChecked, File, $"'{line.Name}' lastChecked");
            Require(line.Phone is not null || line.Text is not null || line.Url is not null,
                $"{File}: '{line.Name}' has no phone, text or url.");
            Require(line.Phone is null || PhoneFormat().IsMatch(line.Phone),
                $"{File}: '{line.Name}' phone '{line.Phone}' should be digits in groups, like \"116 123\" or \"+1 800 656 4673\".");
            Require(line.Text is null || PhoneFormat().IsMatch(line.Text),
                $"{File}: '{line.Name}' text '{line.Text}' should be the number to text, like \"741741\"; put any keyword in the description.");
            Require(line.Url is null || Uri.TryCreate(line.Url, UriKind.Absolute, out _),
                $"{File}: '{line.Name}' url '{line.Url}' is not an absolute address.");
        }
    }

    private static void RequireUniqueKeys(IEnumerable<string> keys, string where)
    {
        var duplicate = keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        Require(duplicate is null, $"{where}: the key '{duplicate?.Key}' is used twice (keys ignore case).");
    }

    private static void RequireText(string? value, string file, string what) =>
        Require(!string.IsNullOrWhiteSpace(value), $"{file}: {what} is empty.");

    private static void RequireDate(string? value, string file, string what) =>
        Require(DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            $"{file}: {what} should be a date like 2026-11-23 (found '{value}').");

    private static void Require([DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition)
        {
            throw new ContentException(message);
        }
    }
}
