using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using SupportBot.ConsoleChat;
using SupportBot.Core.Conversations;
using SupportBot.Core.Storage;
using SupportBot.Core.Timing;
using SupportBot.Discord;
using SupportBot.Slack;

namespace SupportBot.Operations;

/// <summary>
/// Mistakes that would otherwise start the wrong thing quietly: a platform half configured (the console adapter
/// would run instead) and SUPPORTBOT_ variables that match no setting (a typo is otherwise ignored).
/// </summary>
internal static class ConfigurationCheck
{
    public const string Prefix = "SUPPORTBOT_";

    // Keys read outside the options classes; Logging:* is open-ended and never warned about.
    private static readonly string[] OtherKeys = ["Content:Path", "urls", "environment"];

    private static readonly Lazy<IReadOnlyList<string>> Known = new(() =>
    [
        .. KeysOf(DiscordOptions.Section, typeof(DiscordOptions)),
        .. KeysOf(SlackOptions.Section, typeof(SlackOptions)),
        .. KeysOf(StorageOptions.Section, typeof(StorageOptions)),
        .. KeysOf(ConsoleOptions.Section, typeof(ConsoleOptions)),
        .. KeysOf(HealthOptions.Section, typeof(HealthOptions)),
        .. KeysOf(MetricsOptions.Section, typeof(MetricsOptions)),
        .. KeysOf(SafeguardOptions.Section, typeof(SafeguardOptions)),
        .. KeysOf(SupportOptions.Section, typeof(SupportOptions)),
        .. OtherKeys,
    ]);

    /// <summary>The first platform whose credentials are set but incomplete, as a sentence naming the missing key.</summary>
    public static string? IncompletePlatform(IConfiguration configuration)
    {
        bool Set(string key) => !string.IsNullOrWhiteSpace(configuration[key]);

        if (Set("Discord:ApplicationId") && !Set("Discord:Token"))
        {
            return "Discord:Token is missing: Discord:ApplicationId is set, so Discord was meant to run. Set Discord:Token, or remove Discord:ApplicationId to run without Discord.";
        }

        if (Set("Slack:BotToken") && !Set("Slack:AppToken") && !Set("Slack:SigningSecret"))
        {
            return "Slack:AppToken (Socket Mode) or Slack:SigningSecret (HTTP mode) is missing: Slack:BotToken alone cannot receive events.";
        }

        if (!Set("Slack:BotToken") && (Set("Slack:AppToken") || Set("Slack:SigningSecret")))
        {
            var given = Set("Slack:AppToken") ? "Slack:AppToken" : "Slack:SigningSecret";
            return $"Slack:BotToken is missing: {given} is set, so Slack was meant to run, but replies need the bot token (xoxb-…).";
        }

        return null;
    }

    /// <summary>
    /// One warning per SUPPORTBOT_ variable that names no setting, with the nearest setting's variable. Settings are
    /// the known sections plus every options class bound from configuration in <paramref name="services"/> that
    /// declares its Section, so a section added later is known without being listed here.
    /// </summary>
    public static IEnumerable<string> UnknownVariables(IDictionary environment, IServiceCollection? services = null)
    {
        var known = Known.Value.Concat(services is null ? [] : BoundOptions(services)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var name in environment.Keys.OfType<string>().Where(k => k.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            var key = string.Join(':', name[Prefix.Length..].Split("__").Where(p => !p.All(char.IsAsciiDigit)));
            if (key.Length == 0 || key.StartsWith("Logging:", StringComparison.OrdinalIgnoreCase)
                || known.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var nearest = known.MinBy(k => Distance(k.ToUpperInvariant(), key.ToUpperInvariant()))!;
            yield return $"Warning: {name} matches no setting and is ignored. Did you mean {Prefix}{nearest.Replace(":", "__", StringComparison.Ordinal)}?";
        }
    }

    // Every section of the bot is listed in Known, where the types are named at build time; this finds only sections
    // added later. Their properties are read by reflection, which a trimmed (Native AOT) build may have removed: such a
    // section then yields no keys and its variables are warned about, nothing worse.
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Sections not in Known only; a missing property is a warning, not a failure.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "As above.")]
    private static IEnumerable<string> BoundOptions(IServiceCollection services) =>
        services.Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Microsoft.Extensions.Options.IOptionsChangeTokenSource<>))
            .Select(t => t.GetGenericArguments()[0])
            .Distinct()
            .SelectMany(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) is string section ? KeysOf(section, t) : []);

    private static IEnumerable<string> KeysOf(string section, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type options) =>
        options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite || typeof(IEnumerable).IsAssignableFrom(p.PropertyType) && p.PropertyType != typeof(string))
            .Where(p => !p.Name.StartsWith("Is", StringComparison.Ordinal) && !p.Name.StartsWith("Use", StringComparison.Ordinal) && p.Name != "VolunteerNames")
            .Select(p => $"{section}:{p.Name}");

    // Levenshtein distance: few enough keys that the simple table is plenty.
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
