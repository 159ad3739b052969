using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SupportBot.Core.Content;

/// <summary>A content file that cannot be used. The message names the file and, where known, the line.</summary>
public sealed class ContentException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Everything a person reads, loaded once at start from prompts/ and validated.</summary>
public sealed class ContentCatalog
{
    private ContentCatalog(
        IReadOnlyList<RedFlagList> redFlags,
        IReadOnlyList<ReflectionTheme> reflections,
        IReadOnlyList<ComplaintGuide> complaints,
        IReadOnlyList<Profession> professions,
        CrisisDirectory crisis,
        DangerPhrases danger,
        Messages messages)
    {
        RedFlags = redFlags;
        Reflections = reflections;
        Complaints = complaints;
        Professions = professions;
        Crisis = crisis;
        Danger = new DangerDetector(danger.Phrases);
        Messages = messages;
    }

    public IReadOnlyList<RedFlagList> RedFlags { get; }

    public IReadOnlyList<ReflectionTheme> Reflections { get; }

    public IReadOnlyList<ComplaintGuide> Complaints { get; }

    public IReadOnlyList<Profession> Professions { get; }

    public CrisisDirectory Crisis { get; }

    public DangerDetector Danger { get; }

    public Messages Messages { get; }

    public RedFlagList? FindRedFlags(string key) => RedFlags.FirstOrDefault(r => Matches(r.Key, key));

    public ReflectionTheme? FindReflection(string key) => Reflections.FirstOrDefault(r => Matches(r.Key, key));

    public ComplaintGuide? FindComplaint(string region) =>
        Complaints.FirstOrDefault(c => Matches(c.Key, region) || c.Aliases.Any(a => Matches(a, region)));

    public Profession? FindProfession(string name) =>
        Professions.FirstOrDefault(p => Matches(p.Key, name) || p.Aliases.Any(a => Matches(a, name)));

    public CountryLines? FindCountry(string country) =>
        Crisis.Countries.FirstOrDefault(c => Matches(c.Key, country) || c.Aliases.Any(a => Matches(a, country)));

    private static bool Matches(string key, string typed) => string.Equals(key, typed.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>Loads and validates every file; the first bad one stops start-up with its name and line.</summary>
    public static ContentCatalog Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new ContentException($"The content folder '{directory}' does not exist.");
        }

        var redFlags = LoadFolder(directory, "redflags", ContentJson.Default.RedFlagList, (r, key) => r with { Key = key });
        var reflections = LoadFolder(directory, "reflections", ContentJson.Default.ReflectionTheme, (r, key) => r with { Key = key });
        var complaints = LoadFolder(directory, "complaints", ContentJson.Default.ComplaintGuide, (c, key) => c with { Key = key });
        var professions = LoadFile(Path.Combine(directory, "professions.json"), ContentJson.Default.IReadOnlyListProfession);
        var crisis = LoadFile(Path.Combine(directory, "crisis-lines.json"), ContentJson.Default.CrisisDirectory);
        var danger = LoadFile(Path.Combine(directory, "danger-phrases.json"), ContentJson.Default.DangerPhrases);
        var messages = LoadFile(Path.Combine(directory, "messages.json"), ContentJson.Default.Messages);
        ContentValidator.ValidateDanger(danger);

        var catalog = new ContentCatalog(redFlags, reflections, complaints, professions, crisis, danger, messages);
        ContentValidator.Validate(catalog);
        return catalog;
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
