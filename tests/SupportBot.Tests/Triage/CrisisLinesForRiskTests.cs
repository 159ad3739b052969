using SupportBot.Core;
using SupportBot.Core.Content;
using SupportBot.Core.Triage;
using SupportBot.Tests.Content;

namespace SupportBot.Tests.Triage;

/// <summary>The "for" of each line in prompts/crisis-lines.json, which decides what someone in danger is shown.</summary>
public sealed class CrisisLinesForRiskTests
{
    private static readonly ContentCatalog Catalog = PromptsFolder.LoadReal();

    [Fact]
    public void Every_country_says_which_line_is_its_emergency_number_and_which_its_crisis_line()
    {
        Assert.All(Catalog.Crisis.Countries, country =>
        {
            Assert.Single(country.Lines, l => l.IsFor(LinePurposes.Emergency));
            Assert.Contains(country.Lines, l => l.IsFor(LinePurposes.Crisis));
        });
    }

    [Theory]
    [InlineData("us", "RAINN National Sexual Assault Hotline")]
    [InlineData("au", "1800RESPECT")]
    [InlineData("uk", "Rape Crisis Scotland Helpline")]
    [InlineData("uk", "Rape Crisis England & Wales 24/7 Support Line")]
    [InlineData("ie", "National Rape Crisis Helpline")]
    [InlineData("nz", "Safe to talk")]
    [InlineData("uk", "National Domestic Abuse Helpline")]
    [InlineData("ie", "Women's Aid National Freephone Helpline")]
    [InlineData("nz", "Women's Refuge Crisisline")]
    [InlineData("ca", "Sexual Violence Helpline (Quebec)")]
    public void Sexual_assault_and_domestic_violence_lines_say_so(string country, string line)
    {
        var found = Catalog.FindCountry(country)!.Lines.Single(l => l.Name == line);

        Assert.True(found.IsFor(LinePurposes.SexualAssault) || found.IsFor(LinePurposes.DomesticViolence));
    }

    [Fact]
    public void An_unknown_purpose_is_rejected_naming_the_file_and_line()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("crisis-lines.json");
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"for\": [\"sexual-assault\", \"domestic-violence\"]", "\"for\": [\"sexual-assault\", \"housing\"]", StringComparison.Ordinal));

        var error = Assert.Throws<ContentException>(() => ContentCatalog.Load(folder.Path));

        var line = File.ReadLines(file).ToList().FindIndex(l => l.Contains("\"1800RESPECT\"", StringComparison.Ordinal)) + 1;
        Assert.StartsWith($"{file} line {line}: '1800RESPECT' has \"for\" sexual-assault, housing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Danger_in_a_country_with_no_sexual_assault_or_domestic_violence_line_still_shows_its_crisis_line()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("crisis-lines.json");
        var lines = File.ReadAllLines(file);
        var quebec = Array.FindIndex(lines, l => l.Contains("\"Sexual Violence Helpline (Quebec)\"", StringComparison.Ordinal));
        lines[quebec + 1] = lines[quebec + 1].Replace("\"sexual-assault\"", "\"support\"", StringComparison.Ordinal);
        File.WriteAllLines(file, lines);
        var catalog = ContentCatalog.Load(folder.Path);

        var text = string.Join('\n', CrisisText.ForRisk(catalog, new RiskAssessment([new RiskFinding(RiskKind.Danger, "test")]))
            .OfType<TextBlock>().Select(b => b.Body));

        var canada = text.Split('\n').Single(l => l.StartsWith("- Canada:", StringComparison.Ordinal));
        Assert.True(canada.IndexOf("911", StringComparison.Ordinal) < canada.IndexOf("988", StringComparison.Ordinal), canada);
        Assert.DoesNotContain("Quebec", canada, StringComparison.Ordinal);
    }

    [Fact]
    public void A_country_whose_lines_say_nothing_of_what_they_are_for_still_shows_its_first_two_lines()
    {
        using var folder = PromptsFolder.TempCopy();
        var file = folder.File("crisis-lines.json");
        var untagged = string.Join('\n', File.ReadLines(file).Where(l => !l.TrimStart().StartsWith("\"for\"", StringComparison.Ordinal)));
        File.WriteAllText(file, untagged);
        var catalog = ContentCatalog.Load(folder.Path);

        var summary = CrisisText.Summary(catalog).Body;

        var us = summary.Split('\n').Single(l => l.StartsWith("- United States:", StringComparison.Ordinal));
        Assert.Contains("911", us, StringComparison.Ordinal);
        Assert.Contains("988", us, StringComparison.Ordinal);
        Assert.DoesNotContain("RAINN", us, StringComparison.Ordinal);
    }
}
