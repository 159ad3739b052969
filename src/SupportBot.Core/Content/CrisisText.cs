using System.Text;

namespace SupportBot.Core.Content;

/// <summary>Crisis and support lines as text, shared by intake, /resources and the red-flag result.</summary>
public static class CrisisText
{
    /// <summary>
    /// The first two lines of each country (by convention its emergency number and its main crisis line) and the
    /// international directory: short enough to send at once to someone who may be in danger.
    /// </summary>
    public static TextBlock Summary(ContentCatalog content)
    {
        var text = new StringBuilder();
        foreach (var country in content.Crisis.Countries.Where(c => c.Lines.Count > 0))
        {
            text.Append("- ").Append(country.Name).Append(": ").AppendLine(string.Join("; ", country.Lines.Take(2).Select(Describe)));
        }

        foreach (var line in content.Crisis.International)
        {
            text.Append("- ").AppendLine(Describe(line));
        }

        return new TextBlock(text.ToString().TrimEnd(), content.Messages.CrisisShortHeading);
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
