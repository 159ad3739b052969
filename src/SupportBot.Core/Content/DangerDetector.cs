using System.Text;

namespace SupportBot.Core.Content;

/// <summary>
/// Finds words that suggest immediate danger. Matching is on whole words after folding case, punctuation and
/// repeated spaces, so "I want to DIE." matches "want to die" but "diet" does not match "die".
/// </summary>
public sealed class DangerDetector
{
    private readonly IReadOnlyList<string> _phrases;

    public DangerDetector(IReadOnlyList<string> phrases) => _phrases = phrases.Select(Normalize).Where(p => p.Length > 1).ToList();

    public bool IsDanger(string text)
    {
        var normalized = Normalize(text);
        return _phrases.Any(p => normalized.Contains(p, StringComparison.Ordinal));
    }

    // Pads with spaces so that Contains(" die ") only matches whole words.
    private static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append(' ');
        var lastWasSpace = true;
        foreach (var c in text.Replace("’", "'", StringComparison.Ordinal))
        {
            if (char.IsLetterOrDigit(c) || c == '\'')
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
