using SupportBot.Core.Content;

namespace SupportBot.Core.Commands;

/// <summary>
/// The selects for choosing a state or province. Discord and Slack selects hold at most 25 options, and the US
/// has 51, so a long list is cut into alphabetical runs ("Alabama to Kansas"). Cuts fall between first letters
/// and the runs are about the same size, so a stressed reader can tell at a glance which list holds their state.
/// </summary>
internal static class SubregionPicker
{
    public const int MaxOptions = 25;

    /// <param name="guide">The country whose states or provinces are offered.</param>
    /// <param name="actionId">The action id of every select; each gets ":{n}" appended, as Discord needs distinct ids.</param>
    /// <param name="rangeTemplate">The placeholder of a select that holds a run, with {First} and {Last}.</param>
    /// <param name="question">The placeholder when one select holds them all.</param>
    public static List<SelectBlock> Selects(ComplaintGuide guide, string actionId, string rangeTemplate, string question)
    {
        var runs = Runs(guide.Parts);
        return runs.Select((run, n) => new SelectBlock(
                $"{actionId}:{n + 1}",
                runs.Count == 1 ? question : MessageTemplate.Fill(rangeTemplate, ("First", run[0].Name), ("Last", run[^1].Name)),
                run.Select(p => new SelectOption(p.Key, p.Name)).ToList()))
            .ToList();
    }

    internal static List<List<Subregion>> Runs(IReadOnlyList<Subregion> parts)
    {
        var sorted = parts.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();
        if (sorted.Count <= MaxOptions)
        {
            return [sorted];
        }

        var count = (sorted.Count + MaxOptions - 1) / MaxOptions;
        var target = (sorted.Count + count - 1) / count;
        var runs = new List<List<Subregion>>();
        var current = new List<Subregion>();
        foreach (var letter in sorted.GroupBy(p => char.ToUpperInvariant(p.Name[0])))
        {
            var size = letter.Count();
            if (current.Count > 0 && (current.Count + size > MaxOptions || current.Count >= target))
            {
                runs.Add(current);
                current = [];
            }

            current.AddRange(letter);
        }

        runs.Add(current);

        // One letter with more than 25 names cannot stay whole; cut it rather than offer a select a platform rejects.
        return runs.SelectMany(r => r.Chunk(MaxOptions).Select(c => c.ToList())).ToList();
    }
}
