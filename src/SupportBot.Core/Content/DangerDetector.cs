using System.Text;

namespace SupportBot.Core.Content;

/// <summary>
/// Finds words that suggest immediate danger. Matching is on whole words after folding case, punctuation and
/// repeated spaces, so "I want to DIE." matches "want to die" but "diet" does not match "die". Apostrophes are
/// dropped on both sides, so "I'm not safe", "I’m not safe" and "im not safe" all match the phrase "i'm not safe".
/// </summary>
public sealed class DangerDetector
{
    private readonly IReadOnlyList<string> _phrases;

    public DangerDetector(IReadOnlyList<string> phrases) =>
        _phrases = phrases.Where(p => !string.IsNullOrWhiteSpace(p)).Select(Normalize).Where(p => p.Length > 1).Distinct().ToList();

    public bool IsDanger(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var normalized = Normalize(text);
        return _phrases.Any(p => normalized.Contains(p, StringComparison.Ordinal));
    }

    // Pads with spaces so that Contains(" die ") only matches whole words.
    private static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append(' ');
        var lastWasSpace = true;
        foreach (var c in text)
        {
            if (c is '\'' or '’' or '‘')
            {
                // "don't" and "dont" are the same word to someone typing in distress.
                continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
                lastWasSpace = false;
            }
            else if (!lastWasSpace)
            {
                builder.Append(' ');
                lastWasSpace = true;
            }
        }

        if (!lastWasSpace)
        {
            builder.Append(' ');
        }

        return builder.ToString();
    }
}
