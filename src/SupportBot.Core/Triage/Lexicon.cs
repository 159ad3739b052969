using System.Collections.Concurrent;
using System.Text;

namespace SupportBot.Core.Triage;

/// <summary>
/// Turns a message into word numbers the rules can match: case and apostrophes folded, misspellings and chat
/// abbreviations spelled out ("kms" is "kill myself"), letters repeated for emphasis collapsed ("pleeease"), and word
/// forms reduced to one stem ("took", "taking" and "takes" all read as "take"). Only words some rule uses get a number;
/// every other word is <see cref="Unknown"/>, which a gap in a pattern can step over.
/// </summary>
internal sealed class Lexicon
{
    public const int Unknown = 0;
    public const int Number = 1;

    /// <summary>
    /// A number that reads as a year (1900 to 2099). "#" in a pattern matches it as any number; "#year" matches only it,
    /// so "in #year" dates a sentence ("in 2015") where "in #" would also take "in 4 days".
    /// </summary>
    public const int Year = 2;

    /// <summary>The end of a sentence. Gaps, negation and "past" markers never reach across it.</summary>
    public const int SentenceBreak = -1;

    /// <summary>A comma or a word like "but". Gaps and negation stop here; "past" markers still apply.</summary>
    public const int ClauseBreak = -2;

    private const int MaxWord = 48;
    private const int MaxCached = 50_000;

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
    private readonly Dictionary<string, string[]> _spellings;
    private readonly Dictionary<string, string> _forms;
    private HashSet<int> _clauseBreaks = [];

    public Lexicon(IReadOnlyDictionary<string, string> spellings, IReadOnlyDictionary<string, string> forms)
    {
        _spellings = spellings.ToDictionary(
            s => s.Key.ToLowerInvariant().Replace('’', '\''),
            s => s.Value.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries),
            StringComparer.Ordinal);
        _forms = forms.ToDictionary(f => f.Key.ToLowerInvariant(), f => f.Value.ToLowerInvariant(), StringComparer.Ordinal);
        _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Set once, after the rules are compiled and before the first message.</summary>
    public void SetClauseBreaks(IEnumerable<int> ids)
    {
        _clauseBreaks = [.. ids.Where(id => id > Year)];
        _cache.Clear();
    }

    /// <summary>A word as the rules spell it, after spelling fixes: "gonna" gives "going", "to".</summary>
    public IReadOnlyList<string> Spell(string word) =>
        _spellings.TryGetValue(word.ToLowerInvariant(), out var words) ? words : [word.ToLowerInvariant()];

    /// <summary>The number of a word used by a rule, adding it if new.</summary>
    public int Intern(string word)
    {
        var stem = Stem(_forms.TryGetValue(word, out var form) ? form : word);
        if (!_ids.TryGetValue(stem, out var id))
        {
            id = _ids.Count + 3;
            _ids[stem] = id;
        }

        return id;
    }

    /// <summary>
    /// The word numbers of a text, with sentence and clause breaks; with <paramref name="words"/>, also each token's
    /// word as the model reads it (spelled out, repeated letters collapsed, stemmed; "" for a break), one per token.
    /// </summary>
    public void Tokenize(string text, List<int> tokens, List<string>? words = null)
    {
        Span<char> word = stackalloc char[MaxWord];
        var length = 0;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || (c is '\'' or '’' or '‘' or '`' or 'ʼ' && length > 0))
            {
                // A word longer than any a rule could know is cut; its first letters are as unknown as the rest.
                if (length < MaxWord)
                {
                    word[length++] = c is '’' or '‘' or '`' or 'ʼ' ? '\'' : char.ToLowerInvariant(c);
                }

                continue;
            }

            Flush(word[..length], tokens, words);
            length = 0;
            var boundary = c switch
            {
                '.' or '!' or '?' or ';' or '\n' or '…' => SentenceBreak,
                // Quotation marks are not breaks: quoted speech reads on ("he said he'd "end me"", "said "kms" about his homework").
                ',' or ':' or '(' or ')' or '—' or '–' => ClauseBreak,
                _ => Unknown,
            };
            if (boundary != Unknown && (tokens.Count == 0 || tokens[^1] != boundary))
            {
                tokens.Add(boundary);
                words?.Add("");
            }
        }

        Flush(word[..length], tokens, words);
    }

    /// <summary>
    /// Adds the numbers of one word. Words seen before come from a cache keyed by their letters, so the common case
    /// allocates nothing; the cache stops growing at a fixed size so odd text cannot fill memory.
    /// </summary>
    private void Flush(ReadOnlySpan<char> word, List<int> tokens, List<string>? words)
    {
        word = word.Trim('\'');
        if (word.IsEmpty)
        {
            return;
        }

        if (!_cacheLookup.TryGetValue(word, out var entry))
        {
            var text = word.ToString();
            entry = Resolve(text);
            if (_cache.Count < MaxCached)
            {
                _cache.TryAdd(text, entry);
            }
        }

        tokens.AddRange(entry.Ids);
        words?.AddRange(entry.Words);
    }

    private Entry Resolve(string raw)
    {
        // "od'd" is a spelling of its own; only then do apostrophes go ("i'm" is "im", a spelling of "i am").
        var plain = raw.Contains('\'', StringComparison.Ordinal) ? raw.Replace("'", "", StringComparison.Ordinal) : raw;
        var collapsed = Collapse(plain, 2);
        if ((Spelled(raw) ?? Spelled(plain) ?? Spelled(collapsed)) is { } spelled)
        {
            return spelled;
        }

        var chosen = collapsed;
        var id = Lookup(collapsed);
        if (id == Unknown && !ReferenceEquals(collapsed, plain))
        {
            // "deaddd" and "dieee": letters repeated for emphasis, where the single letter is the word a rule knows.
            // Only then: "odd" must stay "odd", not become "od".
            var single = Collapse(collapsed, 1);
            if (Spelled(single) is { } spelledSingle)
            {
                return spelledSingle;
            }

            id = Lookup(single);
            chosen = id == Unknown ? collapsed : single;
        }

        if (id == Unknown && IsNumber(collapsed))
        {
            id = IsYear(collapsed) ? Year : Number;
            chosen = "#";
        }

        return new Entry([_clauseBreaks.Contains(id) ? ClauseBreak : id], [Normal(chosen)]);
    }

    private Entry? Spelled(string word) =>
        _spellings.TryGetValue(word, out var words)
            ? new Entry(
                words.Select(w => Lookup(w)).Select(id => _clauseBreaks.Contains(id) ? ClauseBreak : id).ToArray(),
                words.Select(Normal).ToArray())
            : null;

    /// <summary>A word as the model reads it: its form and stem, as for the rules.</summary>
    private string Normal(string word) => word == "#" ? word : Stem(_forms.TryGetValue(word, out var form) ? form : word);

    private int Lookup(string word)
    {
        if (_forms.TryGetValue(word, out var form))
        {
            word = form;
        }

        return _ids.TryGetValue(Stem(word), out var id) ? id : Unknown;
    }

    private static bool IsYear(string word) =>
        word.Length == 4 && (word.StartsWith("19", StringComparison.Ordinal) || word.StartsWith("20", StringComparison.Ordinal));

    private static bool IsNumber(string word)
    {
        foreach (var c in word)
        {
            if (!char.IsDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs of more than <paramref name="keep"/> equal letters cut to <paramref name="keep"/>; the same string if none.</summary>
    private static string Collapse(string word, int keep)
    {
        var run = 1;
        var needed = false;
        for (var i = 1; i < word.Length && !needed; i++)
        {
            run = word[i] == word[i - 1] ? run + 1 : 1;
            needed = run > keep && char.IsLetter(word[i]);
        }

        if (!needed)
        {
            return word;
        }

        var result = new StringBuilder(word.Length);
        run = 0;
        for (var i = 0; i < word.Length; i++)
        {
            run = i > 0 && word[i] == word[i - 1] ? run + 1 : 1;
            if (run <= keep || !char.IsLetter(word[i]))
            {
                result.Append(word[i]);
            }
        }

        return result.ToString();
    }

    /// <summary>
    /// A small suffix stripper, the same for rules and messages, so "cutting", "cuts" and "cut" meet at "cut" and
    /// "overdosed" and "overdose" at "overdos". Irregular forms ("took", "died") are in the forms list instead.
    /// </summary>
    internal static string Stem(string word)
    {
        var w = word;
        if (w.Length > 4 && w.EndsWith("ies", StringComparison.Ordinal))
        {
            w = w[..^3] + "y";
        }
        else if (w.Length > 3 && w[^1] == 's' && w[^2] is not ('s' or 'u' or 'i'))
        {
            w = w[..^1];
        }

        var stripped = false;
        if (w.Length >= 6 && w.EndsWith("ing", StringComparison.Ordinal))
        {
            w = w[..^3];
            stripped = true;
        }
        else if (w.Length >= 5 && w.EndsWith("ed", StringComparison.Ordinal) && w[^3] != 'e')
        {
            w = w[..^2];
            stripped = true;
        }

        if (stripped && w.Length > 2 && w[^1] == w[^2] && w[^1] is not ('l' or 's' or 'z' or 'e' or 'o'))
        {
            // "cutting" is "cut".
            return w[..^1];
        }

        if (stripped && w.Length == 3 && !IsVowel(w[0]) && IsVowel(w[1]) && !IsVowel(w[2]) && w[2] is not ('w' or 'x' or 'y'))
        {
            // "taking", "living" and "saved" lost an e: "take", "live", "save".
            return w + "e";
        }

        // "overdose" and "overdosed" meet at "overdos". Short words keep their e, so "note" never reads as "not".
        return w.Length > 4 && w[^1] == 'e' ? w[..^1] : w;
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';

    /// <summary>What one word of a message turns into: rule numbers and, one for each, the word as the model reads it.</summary>
    private sealed record Entry(int[] Ids, string[] Words);
}
