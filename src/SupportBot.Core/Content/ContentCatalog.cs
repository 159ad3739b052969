using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SupportBot.Core.Triage;

namespace SupportBot.Core.Content;

/// <summary>A content file that cannot be used. The message names the file and, where known, the line.</summary>
public sealed class ContentException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A place a complaint can be about: a country, and the state or province if one was chosen.</summary>
public sealed record RegionChoice(ComplaintGuide Guide, Subregion? Subregion)
{
    /// <summary>"us" or "us.ca": how the bot names the place in action ids and select values.</summary>
    public string Token => Subregion is null ? Guide.Key : $"{Guide.Key}.{Subregion.Key}";

    /// <summary>"California, United States" or "United Kingdom".</summary>
    public string Title => Subregion is null ? Guide.Title : $"{Subregion.Name}, {Guide.Title}";
}

/// <summary>
/// "/complaint" arguments read as free text: the profession found (null if none), the words taken as the profession
/// (to say "I don't have anything for …" when unknown) and the rest, which names the region.
/// </summary>
public sealed record ComplaintQuery(Profession? Profession, string TypedProfession, string Region);

/// <summary>Everything a person reads, loaded once at start from prompts/ and validated.</summary>
public sealed class ContentCatalog
{
    private readonly Task<RiskDetector> _triage;

    private ContentCatalog(
        IReadOnlyList<RedFlagList> redFlags,
        IReadOnlyList<ReflectionTheme> reflections,
        IReadOnlyList<ComplaintGuide> complaints,
        IReadOnlyList<Profession> professions,
        CrisisDirectory crisis,
        Task<RiskDetector> triage,
        Messages messages,
        BoundariesGuide boundaries,
        CompanionText companion,
        SnippetBook snippets)
    {
        RedFlags = redFlags;
        Reflections = reflections;
        Complaints = complaints;
        Professions = professions;
        Crisis = crisis;
        _triage = triage;
        Messages = messages;
        Boundaries = boundaries;
        Companion = companion;
        Snippets = snippets;
    }

    public IReadOnlyList<RedFlagList> RedFlags { get; }

    public IReadOnlyList<ReflectionTheme> Reflections { get; }

    public IReadOnlyList<ComplaintGuide> Complaints { get; }

    public IReadOnlyList<Profession> Professions { get; }

    public CrisisDirectory Crisis { get; }

    /// <summary>
    /// Reads direct messages for risk, with the rules in prompts/triage.json and the model in triage-model.json.
    /// Loaded with <see cref="LoadDeferringTriage"/>, a message read before the detector is built waits for it: no
    /// message is ever read without it.
    /// </summary>
    public RiskDetector Triage => _triage.IsCompletedSuccessfully ? _triage.Result : _triage.GetAwaiter().GetResult();

    /// <summary>Completes when <see cref="Triage"/> is built; fails with the <see cref="ContentException"/> of a broken triage file.</summary>
    public Task TriageLoaded => _triage;

    public Messages Messages { get; }

    public BoundariesGuide Boundaries { get; }

    public CompanionText Companion { get; }

    /// <summary>Canned replies for volunteers, from prompts/snippets.json.</summary>
    public SnippetBook Snippets { get; }

    public RedFlagList? FindRedFlags(string key) => RedFlags.FirstOrDefault(r => Matches(r.Key, key));

    public ReflectionTheme? FindReflection(string key) => Reflections.FirstOrDefault(r => Matches(r.Key, key));

    public ComplaintGuide? FindComplaint(string region) =>
        Complaints.FirstOrDefault(c => Matches(c.Key, region) || c.Aliases.Any(a => Matches(a, region)));

    /// <summary>
    /// What a typed region can mean, best first. A country's key or alias wins ("ca" is Canada), then the
    /// "country.subregion" form the bot itself puts in action ids ("us.ca"), then a country and a subregion typed
    /// together in either order ("us-ca", "California, US", "wa australia"), then a subregion's key, name or alias
    /// in any country ("california", "ontario"). Several results mean the name is ambiguous ("wa", "nt"), and the
    /// bot asks which one was meant; none means it is unknown. prompts/README.md tells admins the same rule.
    /// </summary>
    public IReadOnlyList<RegionChoice> FindRegions(string typed)
    {
        var text = typed.Trim();
        if (text.Length == 0)
        {
            return [];
        }

        if (FindComplaint(text) is { } country)
        {
            return [new RegionChoice(country, null)];
        }

        if (text.Split('.') is [var countryKey, var subKey]
            && Complaints.FirstOrDefault(c => Matches(c.Key, countryKey)) is { } dotted
            && dotted.Parts.FirstOrDefault(s => Matches(s.Key, subKey)) is { } dottedPart)
        {
            return [new RegionChoice(dotted, dottedPart)];
        }

        var paired = Complaints
            .SelectMany(c => c.Aliases.Append(c.Key).Select(name => (Guide: c, Remainder: Without(text, name))))
            .Where(x => x.Remainder is not null)
            .Select(x => x.Guide.FindSubregion(x.Remainder!) is { } part ? new RegionChoice(x.Guide, part) : null)
            .OfType<RegionChoice>()
            .Distinct()
            .ToList();
        if (paired.Count > 0)
        {
            return paired;
        }

        return Complaints.SelectMany(c => c.Parts.Where(s => s.Matches(text)).Select(s => new RegionChoice(c, s))).ToList();
    }

    /// <summary>The text with a country name cut from its start or end (and the separator with it); null if it has none.</summary>
    private static string? Without(string text, string country)
    {
        const string Separators = " ,-/";
        if (text.Length > country.Length + 1 && text.StartsWith(country, StringComparison.OrdinalIgnoreCase)
            && Separators.Contains(text[country.Length], StringComparison.Ordinal))
        {
            return text[country.Length..].Trim(Separators.ToCharArray());
        }

        if (text.Length > country.Length + 1 && text.EndsWith(country, StringComparison.OrdinalIgnoreCase)
            && Separators.Contains(text[^(country.Length + 1)], StringComparison.Ordinal))
        {
            return text[..^country.Length].Trim(Separators.ToCharArray());
        }

        return null;
    }

    public Profession? FindProfession(string name) =>
        Professions.FirstOrDefault(p => Matches(p.Key, name) || p.Aliases.Any(a => Matches(a, name)));

    /// <summary>
    /// Reads "/complaint" arguments as one free text, however a platform split them ("marriage and family therapist
    /// california", "yoga teacher us", "ireland social worker"). The longest profession name found in it as whole words
    /// wins, so "marriage and family therapist" beats "therapist"; what is left is the region. With no profession
    /// in it, the longest ending that names a region is the region and the start is the unknown profession.
    /// </summary>
    public ComplaintQuery ReadComplaint(string text)
    {
        var words = Words(text);
        var names = Professions
            .SelectMany(p => p.Aliases.Append(p.Key).Append(p.Label).Select(name => (Profession: p, Words: Words(name))))
            .Where(n => n.Words.Length > 0)
            .OrderByDescending(n => n.Words.Length)
            .ThenByDescending(n => n.Words.Sum(w => w.Length));
        foreach (var (profession, name) in names)
        {
            for (var start = 0; start + name.Length <= words.Length; start++)
            {
                if (words.AsSpan(start, name.Length).SequenceEqual(name, StringComparer.OrdinalIgnoreCase))
                {
                    var rest = words[..start].Concat(words[(start + name.Length)..]).ToArray();
                    return new ComplaintQuery(profession, string.Join(' ', name), Region(rest));
                }
            }
        }

        for (var start = 0; start < words.Length; start++)
        {
            var region = string.Join(' ', words[start..]);
            if (FindRegions(region).Count > 0)
            {
                return new ComplaintQuery(null, string.Join(' ', words[..start]), region);
            }
        }

        return new ComplaintQuery(null, string.Join(' ', words), "");
    }

    // "therapist in california": "in" is also India's key, so a leading "in" (or "at", "from") is dropped when
    // what follows names a region and the whole does not.
    private string Region(string[] words)
    {
        var region = string.Join(' ', words);
        return words.Length > 1 && Fillers.Contains(words[0]) && FindRegions(region).Count == 0 && FindRegions(string.Join(' ', words[1..])).Count > 0
            ? string.Join(' ', words[1..])
            : region;
    }

    private static readonly HashSet<string> Fillers = new(StringComparer.OrdinalIgnoreCase) { "in", "at", "from" };

    // Commas and slashes separate words too ("California, USA"), but dots and dashes stay: "us.ca", "us-ca".
    private static string[] Words(string text) => text.Split([' ', ',', '/', '\t'], StringSplitOptions.RemoveEmptyEntries);

    public CountryLines? FindCountry(string country) =>
        Crisis.Countries.FirstOrDefault(c => Matches(c.Key, country) || c.Aliases.Any(a => Matches(a, country)));

    private static bool Matches(string key, string typed) => string.Equals(key, typed.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads and validates every file; the first bad one stops start-up with its name and line.</summary>
    public static ContentCatalog Load(string directory)
    {
        var catalog = LoadDeferringTriage(directory);
        catalog.TriageLoaded.GetAwaiter().GetResult();
        return catalog;
    }

    /// <summary>
    /// As <see cref="Load"/>, but the triage detector (the 39,000-feature model parsed, the rules compiled: about
    /// a third of the start-up's CPU) is built on another thread while the bot starts; a problem in its files
    /// surfaces through <see cref="TriageLoaded"/>.
    /// </summary>
    public static ContentCatalog LoadDeferringTriage(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new ContentException($"The content folder '{directory}' does not exist.");
        }

        // A thread of its own: queued to the pool this early, it made idle pool threads spin against the start-up.
        var triage = Task.Factory.StartNew(() => LoadTriage(directory), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var redFlags = LoadFolder(directory, "redflags", ContentJson.Default.RedFlagList, (r, key) => r with { Key = key });
        var reflections = LoadFolder(directory, "reflections", ContentJson.Default.ReflectionTheme, (r, key) => r with { Key = key });
        var complaints = LoadFolder(directory, "complaints", ContentJson.Default.ComplaintGuide, (c, key) => c with { Key = key });
        var professions = LoadFile(Path.Combine(directory, "professions.json"), ContentJson.Default.IReadOnlyListProfession);
        var crisis = LoadFile(Path.Combine(directory, "crisis-lines.json"), ContentJson.Default.CrisisDirectory);
        var messages = LoadFile(Path.Combine(directory, "messages.json"), ContentJson.Default.Messages);
        var boundaries = LoadFile(Path.Combine(directory, "boundaries.json"), ContentJson.Default.BoundariesGuide);
        var companion = LoadFile(Path.Combine(directory, "companion.json"), ContentJson.Default.CompanionText);
        var snippets = LoadFile(Path.Combine(directory, "snippets.json"), ContentJson.Default.SnippetBook);

        var catalog = new ContentCatalog(redFlags, reflections, complaints, professions, crisis, triage, messages, boundaries, companion, snippets);
        ContentValidator.Validate(catalog, directory);
        return catalog;
    }

    private static RiskDetector LoadTriage(string directory)
    {
        const string File = "triage.json";
        const string ModelFile = "triage-model.json";
        var vocabulary = LoadFile(Path.Combine(directory, File), ContentJson.Default.TriageVocabulary);
        // The model is optional: without it the rules read alone (and the training tool can run before it exists).
        var model = System.IO.File.Exists(Path.Combine(directory, ModelFile))
            ? LoadFile(Path.Combine(directory, ModelFile), ContentJson.Default.TriageModelFile)
            : null;
        try
        {
            return RiskDetector.Create(vocabulary, model);
        }
        catch (TriageVocabularyException e)
        {
            throw new ContentException(ContentValidator.Locate(directory, File, e.Message, e.Near), e);
        }
        catch (TriageModelException e)
        {
            throw new ContentException(ContentValidator.Locate(directory, ModelFile, e.Message, e.Near), e);
        }
    }

    private static List<T> LoadFolder<T>(string directory, string folder, JsonTypeInfo<T> type, Func<T, string, T> withKey)
    {
        var path = Path.Combine(directory, folder);
        if (!Directory.Exists(path))
        {
            throw new ContentException($"The content folder '{path}' does not exist.");
        }

        var items = Directory.GetFiles(path, "*.json")
            .Order(StringComparer.Ordinal)
            .Select(file => withKey(LoadFile(file, type), Path.GetFileNameWithoutExtension(file)))
            .ToList();
        return items.Count > 0 ? items : throw new ContentException($"The content folder '{path}' has no .json files.");
    }

    internal static T LoadFile<T>(string file, JsonTypeInfo<T> type)
    {
        if (!File.Exists(file))
        {
            throw new ContentException($"{file}: the file is missing.");
        }

        try
        {
            using var stream = File.OpenRead(file);
            return JsonSerializer.Deserialize(stream, type) ?? throw new ContentException($"{file}: the file is empty (null).");
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } n ? $" line {n + 1}" : "";
            throw new ContentException($"{file}{line}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ContentException($"{file}: the file cannot be read ({e.Message}).", e);
        }
    }
}
