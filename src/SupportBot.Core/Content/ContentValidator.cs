using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SupportBot.Core.Content;

/// <summary>
/// Checks that reach across files or that JSON shape alone cannot express. Each error names the file and, where the
/// offending value can be found in it, the line, like the loader's JSON errors do.
/// </summary>
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

    public static void Validate(ContentCatalog catalog, string directory)
    {
        try
        {
            ValidateRedFlags(catalog.RedFlags);
            ValidateReflections(catalog.Reflections);
            var professions = ValidateProfessions(catalog.Professions);
            ValidateComplaints(catalog.Complaints, professions);
            ValidateCrisis(catalog.Crisis);
            ValidateBoundaries(catalog.Boundaries);
            ValidateCompanion(catalog.Companion);
            ValidateSnippets(catalog.Snippets);
        }
        catch (Problem problem)
        {
            throw new ContentException(Describe(directory, problem), problem);
        }
    }

    private static void ValidateRedFlags(IReadOnlyList<RedFlagList> lists)
    {
        RequireUniqueKeys(lists.Select(l => l.Key), "redflags");
        foreach (var list in lists)
        {
            var file = $"redflags/{list.Key}.json";
            RequireText(list.Title, file, "title", "\"title\"");
            RequireText(list.Helper, file, "helper", "\"helper\"");
            RequireText(list.Intro, file, "intro", "\"intro\"");
            RequireDate(list.Taken, file, "taken");
            Require(list.Items.Count > 0, file, "the checklist has no items.", "\"items\"");
            for (var i = 0; i < list.Items.Count; i++)
            {
                var item = list.Items[i];
                Require(item is not null, file, $"item {i + 1} is null.");
                var where = $"item '{item.Id}'";
                Require(!string.IsNullOrWhiteSpace(item.Id) && KebabCase().IsMatch(item.Id),
                    file, $"item {i + 1} needs an id in lower-case-with-dashes (found '{item.Id}').", Quoted(item.Id));
                RequireText(item.Text, file, $"{where} text", Quoted(item.Id));
                RequireText(item.Why, file, $"{where} why", Quoted(item.Id));
                Require(!string.IsNullOrWhiteSpace(item.Source), file, $"{where} has no source.", Quoted(item.Id));
                Require(Categories.Contains(item.Category),
                    file, $"{where} has category '{item.Category}'; use one of {string.Join(", ", Categories)}.", Quoted(item.Category));
                Require(Enum.IsDefined(item.Severity),
                    file, $"{where} has severity {(int)item.Severity}; use Crossing, Warning or Violation.", Quoted(item.Id));
            }

            var duplicate = list.Items.GroupBy(i => i.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            Require(duplicate is null, file, $"item id '{duplicate?.Key}' is used twice.", Quoted(duplicate?.Key));
        }
    }

    private static void ValidateReflections(IReadOnlyList<ReflectionTheme> themes)
    {
        RequireUniqueKeys(themes.Select(t => t.Key), "reflections");
        foreach (var theme in themes)
        {
            var file = $"reflections/{theme.Key}.json";
            RequireText(theme.Title, file, "title", "\"title\"");
            RequireText(theme.Intro, file, "intro", "\"intro\"");
            Require(theme.Prompts.Count > 0, file, "the theme has no prompts.", "\"prompts\"");
            for (var i = 0; i < theme.Prompts.Count; i++)
            {
                RequireText(theme.Prompts[i], file, $"prompt {i + 1}");
            }
        }
    }

    private static HashSet<string> ValidateProfessions(IReadOnlyList<Profession> professions)
    {
        const string File = "professions.json";
        Require(professions.Count > 0, File, "the list is empty.");
        for (var i = 0; i < professions.Count; i++)
        {
            var profession = professions[i];
            Require(profession is not null, File, $"entry {i + 1} is null.");
            Require(!string.IsNullOrWhiteSpace(profession.Key) && KebabCase().IsMatch(profession.Key),
                File, $"entry {i + 1} needs a key in lower-case-with-dashes (found '{profession.Key}').", Quoted(profession.Key));
            RequireText(profession.Label, File, $"'{profession.Key}' label", Quoted(profession.Key));
            Require(profession.Aliases.All(a => !string.IsNullOrWhiteSpace(a)), File, $"'{profession.Key}' has an empty alias.", Quoted(profession.Key));
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
            RequireText(guide.Title, file, "title", "\"title\"");
            RequireDate(guide.Taken, file, "taken");
            Require(guide.Aliases.All(a => !string.IsNullOrWhiteSpace(a)), file, "an alias is empty.", "\"aliases\"");
            foreach (var (name, list) in new[]
                     {
                         ("firstSteps", guide.FirstSteps), ("afterFiling", guide.AfterFiling), ("criminal", guide.Criminal),
                         ("civil", guide.Civil), ("support", guide.Support),
                     })
            {
                for (var i = 0; i < list.Count; i++)
                {
                    Require(list[i] is not null, file, $"{name} entry {i + 1} is null.");
                    RequireText(list[i].Text, file, $"{name} entry {i + 1}", $"\"{name}\"");
                    Require(list[i].Source is null || !string.IsNullOrWhiteSpace(list[i].Source),
                        file, $"{name} entry {i + 1} has an empty source; remove it or name the source.", Quoted(list[i].Text));
                    var unknown = list[i].For?.FirstOrDefault(p => !professions.Contains(p));
                    Require(list[i].For is null || (list[i].For!.Count > 0 && unknown is null),
                        file, $"{name} entry {i + 1} has \"for\" with an unknown or no profession ('{unknown}'); use keys from professions.json.", Quoted(list[i].Text));
                }
            }

            ValidateRoutes(guide.Routes, professions, file, "");
            ValidateSubregions(guide, professions, file);
        }
    }

    private static void ValidateRoutes(IReadOnlyList<ComplaintRoute> routes, HashSet<string> professions, string file, string where)
    {
        foreach (var route in routes)
        {
            Require(route is not null, file, $"{where}a route is null.");
            Require(professions.Contains(route.Profession),
                file, $"{where}route for unknown profession '{route.Profession}' (see professions.json).", Quoted(route.Profession));
            RequireText(route.Body, file, $"{where}route '{route.Profession}' body", Quoted(route.Profession));
            RequireText(route.HowToReach, file, $"{where}route '{route.Profession}' howToReach", Quoted(route.Profession));
            Require(!string.IsNullOrWhiteSpace(route.Source), file, $"{where}route '{route.Profession}' has no source.", Quoted(route.Profession));
            Require(route.Url is null || Uri.TryCreate(route.Url, UriKind.Absolute, out _),
                file, $"{where}route '{route.Profession}' url '{route.Url}' is not an absolute address.", Quoted(route.Url));
        }

        var duplicate = routes.GroupBy(r => r.Profession, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        Require(duplicate is null, file, $"{where}there are two routes for '{duplicate?.Key}'.", Quoted(duplicate?.Key));
    }

    /// <summary>
    /// States and provinces: keys unique in the country, no name or alias that points at two of them (or at the
    /// country itself, which would hide it), routes for known professions, and a source on every fact.
    /// </summary>
    private static void ValidateSubregions(ComplaintGuide guide, HashSet<string> professions, string file)
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var alias in guide.Aliases.Append(guide.Key))
        {
            names.TryAdd(alias.Trim(), "the country");
        }

        foreach (var part in guide.Parts)
        {
            Require(part is not null, file, "a subregion is null.");
            Require(!string.IsNullOrWhiteSpace(part.Key) && KebabCase().IsMatch(part.Key),
                file, $"subregion '{part.Key}' needs a key in lower-case-with-dashes.", Quoted(part.Key));
            RequireText(part.Name, file, $"subregion '{part.Key}' name", Quoted(part.Key));
            var where = $"subregion '{part.Key}': ";
            foreach (var name in part.Aliases.Prepend(part.Name).Prepend(part.Key).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                Require(!string.IsNullOrWhiteSpace(name), file, $"{where}an alias is empty.", Quoted(part.Key));
                Require(names.TryAdd(name.Trim(), part.Key),
                    file, $"{where}the name '{name}' already means {Describe(names.GetValueOrDefault(name.Trim()))}.", Quoted(name));
            }

            ValidateRoutes(part.Routes, professions, file, where);
            foreach (var (list, name) in new[] { (part.Criminal, "criminal"), (part.Civil, "civil"), (part.Notes, "notes") })
            {
                foreach (var item in list)
                {
                    Require(item is not null, file, $"{where}a {name} entry is null.", Quoted(part.Key));
                    RequireText(item.Text, file, $"{where}a {name} entry", Quoted(part.Key));
                    Require(!string.IsNullOrWhiteSpace(item.Source), file, $"{where}{name} entry '{item.Text}' has no source.", Quoted(item.Text));
                }
            }
        }

        static string Describe(string? owner) => owner == "the country" ? "the country" : $"subregion '{owner}'";
    }

    private static void ValidateCrisis(CrisisDirectory crisis)
    {
        const string File = "crisis-lines.json";
        RequireUniqueKeys(crisis.Countries.Select(c => c.Key), File);
        foreach (var country in crisis.Countries)
        {
            Require(country is not null, File, "a country is null.");
            Require(!string.IsNullOrWhiteSpace(country.Key), File, "a country has no key.");
            RequireText(country.Name, File, $"country '{country.Key}' name", Quoted(country.Key));
            Require(country.Lines.Count > 0, File, $"country '{country.Key}' has no lines.", Quoted(country.Key));
        }

        foreach (var line in crisis.Countries.SelectMany(c => c.Lines).Concat(crisis.International))
        {
            Require(line is not null, File, "a line is null.");
            RequireText(line.Name, File, "a line's name");
            RequireText(line.Description, File, $"'{line.Name}' description", Quoted(line.Name));
            RequireText(line.Hours, File, $"'{line.Name}' hours", Quoted(line.Name));
            Require(!string.IsNullOrWhiteSpace(line.Source), File, $"'{line.Name}' has no source.", Quoted(line.Name));
            RequireDate(line.LastChecked, File, $"'{line.Name}' lastChecked");
            Require(line.Phone is not null || line.Text is not null || line.Url is not null,
                File, $"'{line.Name}' has no phone, text or url.", Quoted(line.Name));
            Require(line.Phone is null || PhoneFormat().IsMatch(line.Phone),
                File, $"'{line.Name}' phone '{line.Phone}' should be digits in groups, like \"116 123\" or \"+1 800 656 4673\".", Quoted(line.Phone));
            Require(line.Text is null || PhoneFormat().IsMatch(line.Text),
                File, $"'{line.Name}' text '{line.Text}' should be the number to text, like \"741741\"; put any keyword in the description.", Quoted(line.Text));
            Require(line.For is null || line.For.All(LinePurposes.All.Contains),
                File, $"'{line.Name}' has \"for\" {string.Join(", ", line.For ?? [])}; use {string.Join(", ", LinePurposes.All)}.", Quoted(line.Name));
            Require(line.Url is null || Uri.TryCreate(line.Url, UriKind.Absolute, out _),
                File, $"'{line.Name}' url '{line.Url}' is not an absolute address.", Quoted(line.Url));
        }
    }

    private static void ValidateBoundaries(BoundariesGuide guide)
    {
        const string File = "boundaries.json";
        RequireText(guide.Title, File, "title", "\"title\"");
        RequireDate(guide.Taken, File, "taken");
        Require(guide.Sections.Count > 0, File, "there are no sections.", "\"sections\"");
        foreach (var section in guide.Sections)
        {
            RequireText(section.Heading, File, "a section heading");
            Require(section.Points.Count > 0, File, $"section '{section.Heading}' has no points.", Quoted(section.Heading));
            Require(section.Points.All(p => !string.IsNullOrWhiteSpace(p.Text) && !string.IsNullOrWhiteSpace(p.Source)),
                File, $"every point in '{section.Heading}' needs text and a source.", Quoted(section.Heading));
        }
    }

    private static void ValidateCompanion(CompanionText companion)
    {
        const string File = "companion.json";
        foreach (var (name, options) in new[] { ("evidence", companion.Evidence), ("wants", companion.Wants) })
        {
            Require(options.Count is > 0 and <= 25, File, $"{name} needs between 1 and 25 choices.", $"\"{name}\"");
            foreach (var option in options)
            {
                Require(!string.IsNullOrWhiteSpace(option.Key) && KebabCase().IsMatch(option.Key),
                    File, $"{name} choice '{option.Key}' needs a key in lower-case-with-dashes.", Quoted(option.Key));
                RequireText(option.Label, File, $"{name} choice '{option.Key}' label", Quoted(option.Key));
            }

            RequireUniqueKeys(options.Select(o => o.Key), File);
        }
    }

    // Discord offers at most 25 choices for an option, and a snippet speaks as the volunteer, so only {Name} is filled in.
    private static void ValidateSnippets(SnippetBook book)
    {
        const string File = "snippets.json";
        Require(book.Snippets.Count is > 0 and <= 25, File, "snippets needs between 1 and 25 entries.", "\"snippets\"");
        foreach (var snippet in book.Snippets)
        {
            Require(!string.IsNullOrWhiteSpace(snippet.Name) && snippet.Name.Length <= 32 && KebabCase().IsMatch(snippet.Name),
                File, $"snippet name '{snippet.Name}' needs lower-case-with-dashes, at most 32 characters.", Quoted(snippet.Name));
            RequireText(snippet.Description, File, $"snippet '{snippet.Name}' description", Quoted(snippet.Name));
            Require(snippet.Description.Length <= 100, File, $"snippet '{snippet.Name}' description is longer than 100 characters.", Quoted(snippet.Name));
            RequireText(snippet.Text, File, $"snippet '{snippet.Name}' text", Quoted(snippet.Name));
            Require(snippet.Text.Length <= 1500, File, $"snippet '{snippet.Name}' text is longer than 1500 characters.", Quoted(snippet.Name));
            var unknown = Placeholder().Matches(snippet.Text).Select(m => m.Groups[1].Value).FirstOrDefault(p => p != "Name");
            Require(unknown is null, File, $"snippet '{snippet.Name}' uses {{{unknown}}}; only {{Name}} is filled in.", Quoted(snippet.Name));
        }

        RequireUniqueKeys(book.Snippets.Select(s => s.Name), File);
    }

    [GeneratedRegex(@"\{(\w+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    private static void RequireUniqueKeys(IEnumerable<string> keys, string where)
    {
        var duplicate = keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        Require(duplicate is null, where, $"the key '{duplicate?.Key}' is used twice (keys ignore case).");
    }

    private static void RequireText(string? value, string file, string what, string? near = null) =>
        Require(!string.IsNullOrWhiteSpace(value), file, $"{what} is empty.", near);

    private static void RequireDate(string? value, string file, string what, string? near = null) =>
        Require(DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            file, $"{what} should be a date like 2026-11-23 (found '{value}').", near ?? Quoted(value));

    /// <param name="condition">What must hold; when false, start-up stops with the message.</param>
    /// <param name="file">The file, relative to the content folder.</param>
    /// <param name="detail">What is wrong, in words an admin can act on.</param>
    /// <param name="near">Text to look for in the file to report a line: usually the offending value, quoted.</param>
    private static void Require([DoesNotReturnIf(false)] bool condition, string file, string detail, string? near = null)
    {
        if (!condition)
        {
            throw new Problem(file, detail, near);
        }
    }

    /// <summary>A value as it appears in a JSON file, to find its line; null when it cannot be found reliably.</summary>
    private static string? Quoted(string? value) => string.IsNullOrWhiteSpace(value) ? null : $"\"{value}\"";

    private static string Describe(string directory, Problem problem) => Locate(directory, problem.File, problem.Detail, problem.Near);

    /// <summary>"path line N: detail", the line being the first that contains <paramref name="near"/> (when given and found).</summary>
    public static string Locate(string directory, string file, string detail, string? near)
    {
        var path = Path.Combine(directory, file);
        var line = near is not null && File.Exists(path)
            ? File.ReadLines(path).Select((text, index) => (text, index)).FirstOrDefault(l => l.text.Contains(near, StringComparison.Ordinal))
            : default;
        return line.text is null ? $"{path}: {detail}" : $"{path} line {line.index + 1}: {detail}";
    }

    private sealed class Problem(string file, string detail, string? near) : Exception(detail)
    {
        public string File { get; } = file;

        public string Detail { get; } = detail;

        public string? Near { get; } = near;
    }
}
