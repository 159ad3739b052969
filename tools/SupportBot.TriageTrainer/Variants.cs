using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace SupportBot.TriageTrainer;

/// <summary>One way of rewriting a training line that keeps its meaning and its kind.</summary>
public enum Style
{
    /// <summary>He and she swapped, and a word of a role class (a helper, a friend, a drug, a body part, a photo) for another of it.</summary>
    Swap,

    /// <summary>Lowercase, no apostrophes or punctuation, chat abbreviations, one or two typos in longer words.</summary>
    Chat,

    /// <summary>The line set inside an ordinary opening or closing, so length and small talk do not decide.</summary>
    Frame,
}

/// <summary>
/// Generated variants of the training lines (Eval/README.md, branch triage15): people write the same thing in surface
/// forms the lines do not have. Each variant of a recipe applies its styles in order; the dice are seeded by the line's
/// number and the variant's, so the same files always give the same variants. Ordinary lines get variants too, or the
/// model would learn "chat style means risk". The role classes are triage.json's own, so a word an admin adds to a class
/// is swapped in too.
/// </summary>
public sealed partial class Variants
{
    /// <summary>triage.json's classes whose words can stand for each other in any sentence without changing what it says.</summary>
    private static readonly string[] RoleClasses = ["helper", "close", "pills", "body", "images", "gun"];

    private static readonly Dictionary<string, string> Pronouns = new(StringComparer.Ordinal)
    {
        ["he"] = "she", ["she"] = "he", ["him"] = "her", ["his"] = "her", ["hers"] = "his",
        ["himself"] = "herself", ["herself"] = "himself",
    };

    /// <summary>After these (or at the end) "her" is "him", not "his": "told her that", "hit her again".</summary>
    private static readonly HashSet<string> NotANoun = new(StringComparer.Ordinal)
    {
        "and", "or", "but", "to", "that", "the", "a", "an", "if", "again", "so", "when", "because", "up", "down",
        "out", "off", "in", "on", "at", "with", "for", "about", "from", "i", "he", "she", "they", "we", "you", "it",
        "anything", "everything", "what", "how", "too", "back", "away", "now", "then", "is", "was", "not",
    };

    private static readonly (Regex From, string To)[] Abbreviations = new (string From, string To)[]
    {
        ("going to", "gonna"), ("want to", "wanna"), ("right now", "rn"), ("because", "cuz"), ("you are", "ur"),
        ("you're", "ur"), ("your", "ur"), ("you", "u"), ("honestly", "tbh"), ("please", "pls"), ("okay", "ok"),
        ("people", "ppl"), ("though", "tho"), ("tomorrow", "tmrw"), ("i am", "im"), ("i'm", "im"),
    }.Select(a => (new Regex($@"\b{Regex.Escape(a.From)}\b", RegexOptions.CultureInvariant), a.To)).ToArray();

    private static readonly string[] Openings =
    [
        "sorry to bother you,", "hi, not sure this is the right place but", "hey so", "quick question.",
        "this is hard to write.", "ok so", "hello, first time using this.", "um hi,",
    ];

    private static readonly string[] Closings =
    [
        "anyway how do I report him?", "what should I do", "thanks for reading", "is this something you help with?",
        "sorry for the long message", "can someone get back to me", "anyway that's where I am", "idk what to do",
    ];

    /// <summary>The variants the trainer adds to each line: none yet (Eval/README.md, branch triage15).</summary>
    public static readonly IReadOnlyList<Style[]> Recipe = [];

    private readonly Dictionary<string, string[]> _roles;
    private readonly IReadOnlyList<Style[]> _recipe;

    private Variants(Dictionary<string, string[]> roles, IReadOnlyList<Style[]> recipe, double weight)
    {
        _roles = roles;
        _recipe = recipe;
        Weight = weight;
    }

    /// <summary>What a variant weighs in training against its line (1): below 1 the line's own words stay first.</summary>
    public double Weight { get; }

    /// <summary>Reads the role classes from the repository's prompts/triage.json.</summary>
    public static Variants Load(string root, IReadOnlyList<Style[]> recipe, double weight = 1)
    {
        using var triage = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(root, "prompts", "triage.json")),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var roles = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var name in RoleClasses)
        {
            // A pronoun in a class ("she" among friends) is swapped as a pronoun, and "#" is not a word.
            var members = triage.RootElement.GetProperty("classes").GetProperty(name).EnumerateArray()
                .Select(m => m.GetString()!.Trim().ToLowerInvariant())
                .Where(m => m.All(char.IsLetter) && !Pronouns.ContainsKey(m) && m is not "they")
                .Distinct(StringComparer.Ordinal)
                .ToArray();
            foreach (var member in members)
            {
                roles.TryAdd(member, members);
            }
        }

        return new Variants(roles, recipe, weight);
    }

    /// <summary>The variants of the line numbered <paramref name="line"/>; one the same as the line (nothing to swap) is left out.</summary>
    public IEnumerable<string> Of(string text, int line)
    {
        for (var v = 0; v < _recipe.Count; v++)
        {
            var dice = new Dice((uint)line * 7919u + (uint)v * 104729u + 1);
            var variant = text;
            foreach (var style in _recipe[v])
            {
                variant = style switch
                {
                    Style.Swap => Swap(variant, ref dice),
                    Style.Chat => Chat(variant, ref dice),
                    _ => Frame(variant, ref dice),
                };
            }

            if (!string.Equals(variant, text, StringComparison.Ordinal))
            {
                yield return variant;
            }
        }
    }

    private string Swap(string text, ref Dice dice)
    {
        // One replacement per word for the whole line, so "my coach ... the coach" stays one person.
        var chosen = new Dictionary<string, string>(StringComparer.Ordinal);
        var words = Word().Matches(text);
        var result = new StringBuilder(text.Length + 16);
        var at = 0;
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i].Value;
            var lower = word.ToLowerInvariant();
            string? swapped = null;
            if (lower == "her")
            {
                var next = i + 1 < words.Count && text.AsSpan(words[i].Index + word.Length, words[i + 1].Index - words[i].Index - word.Length).IsWhiteSpace()
                    ? words[i + 1].Value.ToLowerInvariant() : null;
                swapped = next is null || NotANoun.Contains(next) ? "him" : "his";
            }
            else if (Pronouns.TryGetValue(lower, out var pronoun))
            {
                swapped = pronoun;
            }
            else if (_roles.TryGetValue(lower, out var members))
            {
                if (!chosen.TryGetValue(lower, out swapped))
                {
                    swapped = members[dice.Next(members.Length)];
                    chosen[lower] = swapped;
                }
            }

            if (swapped is not null)
            {
                result.Append(text, at, words[i].Index - at).Append(char.IsUpper(word[0]) ? Capital(swapped) : swapped);
                at = words[i].Index + word.Length;
            }
        }

        return result.Append(text, at, text.Length - at).ToString();
    }

    private static string Chat(string text, ref Dice dice)
    {
        var lower = text.ToLowerInvariant().Replace('’', '\'');
        foreach (var (from, to) in Abbreviations)
        {
            lower = from.Replace(lower, to);
        }

        // Hyphens and line breaks part words; every other mark goes, apostrophes too ("dont", "im").
        var bare = new StringBuilder(lower.Length);
        foreach (var c in lower)
        {
            if (char.IsLetterOrDigit(c) || c == ' ')
            {
                bare.Append(c);
            }
            else if (c is '-' or '\n' or '/')
            {
                bare.Append(' ');
            }
        }

        var words = bare.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var longer = Enumerable.Range(0, words.Length).Where(i => words[i].Length >= 5 && words[i].All(char.IsLetter)).ToList();
        for (var typos = 1 + dice.Next(2); typos > 0 && longer.Count > 0; typos--)
        {
            var pick = longer[dice.Next(longer.Count)];
            longer.Remove(pick);
            words[pick] = Typo(words[pick], ref dice);
        }

        return string.Join(' ', words);
    }

    /// <summary>A dropped, doubled or swapped letter, never the first (people rarely miss the start of a word).</summary>
    private static string Typo(string word, ref Dice dice)
    {
        var at = 1 + dice.Next(word.Length - 2);
        return dice.Next(3) switch
        {
            0 => word.Remove(at, 1),
            1 => word.Insert(at, word[at].ToString()),
            _ => string.Concat(word.AsSpan(0, at), word[at + 1].ToString(), word[at].ToString(), word.AsSpan(at + 2)),
        };
    }

    private static string Frame(string text, ref Dice dice) => dice.Next(3) switch
    {
        0 => $"{Openings[dice.Next(Openings.Length)]} {text}",
        1 => $"{text} {Closings[dice.Next(Closings.Length)]}",
        _ => $"{Openings[dice.Next(Openings.Length)]} {text} {Closings[dice.Next(Closings.Length)]}",
    };

    private static string Capital(string word) => char.ToUpper(word[0], CultureInfo.InvariantCulture) + word[1..];

    [GeneratedRegex(@"\b[A-Za-z]+\b", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    /// <summary>Xorshift, as the trainer's shuffle: the runtime's Random could change its sequence between versions.</summary>
    private struct Dice(uint seed)
    {
        private uint _state = seed * 2654435761u + 1;

        public int Next(int n)
        {
            _state ^= _state << 13;
            _state ^= _state >> 17;
            _state ^= _state << 5;
            return (int)(_state % (uint)n);
        }
    }
}
