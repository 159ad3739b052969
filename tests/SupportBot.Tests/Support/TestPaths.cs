namespace SupportBot.Tests.Support;

/// <summary>Where the repository's own files and the shared research fixtures are, found from the test binary.</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Prompts => Path.Combine(RepoRoot, "prompts");

    /// <summary>The official sample payloads beside the project (../shared/research/fixtures), or null where absent.</summary>
    public static string? SharedFixtures
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "research", "fixtures"));
            return Directory.Exists(path) ? path : null;
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SupportBot.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SupportBot.sln not found above " + AppContext.BaseDirectory);
    }
}
