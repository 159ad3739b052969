using SupportBot.Tests.Support;

namespace SupportBot.Tests.Slack;

/// <summary>A fact that reads the official sample payloads; it is skipped, saying why, where they are absent.</summary>
public sealed class FixtureFactAttribute : FactAttribute
{
    public FixtureFactAttribute()
    {
        if (TestPaths.SharedFixtures is null)
        {
            Skip = "The official Slack samples (../shared/research/fixtures/slack) are not beside this clone.";
        }
    }

    public static string Path(string name) => System.IO.Path.Combine(TestPaths.SharedFixtures!, "slack", name);
}
