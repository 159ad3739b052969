using SupportBot.Tests.Support;

namespace SupportBot.Tests.Discord;

/// <summary>A fact that needs the official sample payloads; it is skipped, saying why, where they are absent.</summary>
public sealed class SharedFixtureFactAttribute : FactAttribute
{
    public SharedFixtureFactAttribute()
    {
        if (TestPaths.SharedFixtures is null)
        {
            Skip = "The official sample payloads (../shared/research/fixtures) are not beside this clone.";
        }
    }

    public static string Read(string name) => File.ReadAllText(Path.Combine(TestPaths.SharedFixtures!, "discord", name));
}
