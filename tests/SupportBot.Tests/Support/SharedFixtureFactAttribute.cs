namespace SupportBot.Tests.Support;

/// <summary>
/// A fact that reads the official sample payloads in ../shared/research/fixtures. Only these tests are skipped,
/// saying why, where that folder is not beside the clone; the project's own tests never need it.
/// </summary>
public sealed class SharedFixtureFactAttribute : FactAttribute
{
    public SharedFixtureFactAttribute()
    {
        if (TestPaths.SharedFixtures is null)
        {
            Skip = "The official sample payloads (../shared/research/fixtures) are not beside this clone.";
        }
    }

    /// <summary>The path of a sample, e.g. ("slack", "event.message_im.docs-example.json").</summary>
    public static string Path(string platform, string name) => System.IO.Path.Combine(TestPaths.SharedFixtures!, platform, name);

    public static string Read(string platform, string name) => File.ReadAllText(Path(platform, name));
}
