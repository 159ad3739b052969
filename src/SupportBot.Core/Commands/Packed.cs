using System.Text;

namespace SupportBot.Core.Commands;

/// <summary>
/// Long lists as several text blocks, each under the size every platform shows whole (Slack cuts a section at 3000
/// characters), the heading on the first. Entries are never split, so an item stays next to its source.
/// </summary>
internal static class Packed
{
    public const int MaxBlockText = 2800;

    public static IEnumerable<TextBlock> Blocks(IEnumerable<string> entries, string? heading)
    {
        var text = new StringBuilder();
        var first = true;
        foreach (var entry in entries)
        {
            if (text.Length > 0 && text.Length + entry.Length + 1 > MaxBlockText)
            {
                yield return new TextBlock(text.ToString().TrimEnd(), first ? heading : null);
                first = false;
                text.Clear();
            }

            text.AppendLine(entry);
        }

        if (text.Length > 0)
        {
            yield return new TextBlock(text.ToString().TrimEnd(), first ? heading : null);
        }
    }
}
