using System.Collections.Frozen;
using System.Globalization;

namespace SupportBot.Core.Triage;

/// <summary>
/// A compiled pattern from prompts/triage.json. Syntax (prompts/README.md has it for admins): words separated by
/// spaces, each matching any form of the word; <c>a|b</c> either word; <c>@name</c> any word of a class;
/// <c>#</c> a number, <c>#year</c> a number that reads as a year (1900 to 2099); a trailing <c>?</c> makes an element optional; <c>...</c> skips up to 4 words and
/// <c>...N</c> up to N (never across a comma or a sentence end); a leading <c>^</c> anchors at the start of a
/// sentence or clause.
/// </summary>
internal sealed class TriagePattern
{
    private const int DefaultGap = 4;

    private readonly Element[] _elements;

    private TriagePattern(Element[] elements, bool atStart)
    {
        _elements = elements;
        AtStart = atStart;
    }

    public bool AtStart { get; }

    /// <summary>The words that can begin a match; a message is only tried at positions holding one of them.</summary>
    public IEnumerable<int> FirstWords => _elements[0].Words!;

    /// <summary>Parses a pattern; a problem is returned as a sentence an admin can act on.</summary>
    public static TriagePattern Compile(string pattern, Lexicon lexicon, IReadOnlyDictionary<string, int[]> classes)
    {
        var parts = pattern.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var atStart = parts.Length > 0 && parts[0] == "^";
        var elements = new List<Element>();
        foreach (var part in atStart ? parts[1..] : parts)
        {
            if (part.StartsWith("...", StringComparison.Ordinal))
            {
                var reach = part.Length == 3 ? DefaultGap
                    : int.TryParse(part[3..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 9 ? n
                    : throw new TriagePatternException($"'{part}' should be '...' or '...N' with N from 1 to 9.");
                elements.Add(new Element(null, false, reach));
                continue;
            }

            var optional = part.EndsWith('?');
            var body = optional ? part[..^1] : part;
            var alternatives = body.Split('|');
            if (alternatives.Length == 1 && !optional && body[0] is not ('@' or '#'))
            {
                // A plain word may be a spelling of several ("gonna" is "going to"): each becomes an element.
                elements.AddRange(lexicon.Spell(body).Select(w => new Element(FrozenSet.ToFrozenSet([lexicon.Intern(w)]), false, 0)));
                continue;
            }

            var words = new HashSet<int>();
            foreach (var alternative in alternatives)
            {
                if (alternative.Length == 0)
                {
                    throw new TriagePatternException($"'{part}' has an empty alternative.");
                }

                if (alternative[0] == '@')
                {
                    words.UnionWith(classes.TryGetValue(alternative[1..], out var members)
                        ? members
                        : throw new TriagePatternException($"the class '{alternative}' is not defined in \"classes\"."));
                }
                else if (alternative == "#")
                {
                    words.Add(Lexicon.Number);
                    words.Add(Lexicon.Year);
                }
                else if (alternative == "#year")
                {
                    words.Add(Lexicon.Year);
                }
                else
                {
                    var spelled = lexicon.Spell(alternative);
                    words.Add(spelled.Count == 1
                        ? lexicon.Intern(spelled[0])
                        : throw new TriagePatternException($"'{alternative}' in '{part}' stands for several words; write them out as separate words."));
                }
            }

            elements.Add(new Element(words.ToFrozenSet(), optional, 0));
        }

        if (elements.Count == 0)
        {
            throw new TriagePatternException("the pattern is empty.");
        }

        if (elements[0].Words is null || elements[0].Optional)
        {
            throw new TriagePatternException("a pattern must begin with a word that is not optional.");
        }

        if (elements[^1].Words is null)
        {
            throw new TriagePatternException("a pattern must not end with '...'.");
        }

        return new TriagePattern([.. elements], atStart);
    }

    /// <summary>
    /// Where a match starting at <paramref name="start"/> ends (exclusive), or -1. Words in <paramref name="masked"/>
    /// (taken by an idiom that is not risk) never match.
    /// </summary>
    public int MatchAt(ReadOnlySpan<int> tokens, ReadOnlySpan<bool> masked, int start)
    {
        if (AtStart && start > 0 && tokens[start - 1] >= 0)
        {
            return -1;
        }

        return MatchFrom(tokens, masked, start, 0);
    }

    private int MatchFrom(ReadOnlySpan<int> tokens, ReadOnlySpan<bool> masked, int position, int element)
    {
        if (element == _elements.Length)
        {
            return position;
        }

        var current = _elements[element];
        if (current.Words is null)
        {
            for (var skip = 0; skip <= current.Gap && position + skip < tokens.Length; skip++)
            {
                var end = MatchFrom(tokens, masked, position + skip, element + 1);
                if (end >= 0)
                {
                    return end;
                }

                if (tokens[position + skip] < 0)
                {
                    break;
                }
            }

            return -1;
        }

        if (position < tokens.Length && !masked[position] && current.Words.Contains(tokens[position]))
        {
            var end = MatchFrom(tokens, masked, position + 1, element + 1);
            if (end >= 0)
            {
                return end;
            }
        }

        return current.Optional ? MatchFrom(tokens, masked, position, element + 1) : -1;
    }

    /// <summary>A word position (one of <see cref="Words"/>, possibly optional) or a gap of up to <see cref="Gap"/> words.</summary>
    private sealed record Element(FrozenSet<int>? Words, bool Optional, int Gap);
}

/// <summary>A pattern in prompts/triage.json that cannot be compiled; the loader adds the file and line.</summary>
internal sealed class TriagePatternException(string message) : Exception(message);
