using System.Text;
using SupportBot.Core.Triage;

namespace SupportBot.Core.Content;

/// <summary>Crisis and support lines as text, shared by intake, /resources and the red-flag result.</summary>
public static class CrisisText
{
    /// <summary>
    /// Each country's emergency number and main crisis line, and the international directory: short enough to send
    /// at once to someone who may be in danger.
    /// </summary>
    public static TextBlock Summary(ContentCatalog content) => Lines(content, fromAnotherPerson: false, fromThemselves: true);

    /// <summary>
    /// The notice and the lines that fit what the detector found. Danger from a person brings the emergency number
    /// first, then the sexual-assault and domestic-violence lines; risk to oneself brings the crisis lines; both bring both.
    /// </summary>
    public static IReadOnlyList<Block> ForRisk(ContentCatalog content, RiskAssessment risk) =>
    [
        new TextBlock(risk.FromAnotherPerson ? content.Messages.DangerNoticePerson : content.Messages.DangerNotice),
        Lines(content, risk.FromAnotherPerson, risk.FromThemselves || !risk.FromAnotherPerson),
    ];

    private static TextBlock Lines(ContentCatalog content, bool fromAnotherPerson, bool fromThemselves)
    {
        var text = new StringBuilder();
        foreach (var country in content.Crisis.Countries.Where(c => c.Lines.Count > 0))
        {
            var lines = Choose(country.Lines, fromAnotherPerson, fromThemselves);
            text.Append("- ").Append(country.Name).Append(": ").AppendLine(string.Join("; ", lines.Select(Describe)));
        }

        foreach (var line in content.Crisis.International)
        {
            text.Append("- ").AppendLine(Describe(line));
        }

        return new TextBlock(text.ToString().TrimEnd(), content.Messages.CrisisShortHeading);
    }

    /// <summary>
    /// The emergency number always comes first. A country whose lines say nothing about what they are for falls back
    /// to its first two lines, which by the file's convention are the emergency number and the main crisis line.
    /// </summary>
    private static IEnumerable<CrisisLine> Choose(IReadOnlyList<CrisisLine> lines, bool fromAnotherPerson, bool fromThemselves)
    {
        if (lines.All(l => l.For is null))
        {
            return lines.Take(2);
        }

        var chosen = lines.Where(l => l.IsFor(LinePurposes.Emergency)).ToList();
        var violence = fromAnotherPerson
            ? lines.Where(l => l.IsFor(LinePurposes.SexualAssault) || l.IsFor(LinePurposes.DomesticViolence)).ToList()
            : [];

        // A country with no sexual-assault or domestic-violence line on file still offers someone to talk to.
        if ((fromThemselves || (fromAnotherPerson && violence.Count == 0))
            && lines.FirstOrDefault(l => l.IsFor(LinePurposes.Crisis)) is { } crisis)
        {
            chosen.Add(crisis);
        }

        chosen.AddRange(violence);
        return chosen.Distinct();
    }

    public static TextBlock Country(CountryLines country, Messages messages)
    {
        var text = new StringBuilder();
        foreach (var line in country.Lines)
        {
            text.Append("- ").AppendLine(Describe(line))
                .Append("  ").Append(line.Description).Append(' ').AppendLine(line.Hours)
                .Append("  ").AppendLine(MessageTemplate.Fill(messages.Source, ("Source", line.Source)));
        }

        return new TextBlock(text.ToString().TrimEnd(), country.Name);
    }

    public static string Describe(CrisisLine line)
    {
        var ways = new List<string>();
        if (line.Phone is not null)
        {
            ways.Add("call " + line.Phone);
        }

        if (line.Text is not null)
        {
            ways.Add("text " + line.Text);
        }

        if (line.Url is not null)
        {
            ways.Add(line.Url);
        }

        return $"**{line.Name}**: {string.Join(", ", ways)}";
    }
}
