namespace SupportBot.Bench;

/// <summary>The repository's folders, found by walking up from the working folder or the binary to SupportBot.sln.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = Find(Environment.CurrentDirectory) ?? Find(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("SupportBot.sln not found above the working folder or the binary.");

    public static string Prompts => Path.Combine(Root, "prompts");

    public static string TriageEval => Path.Combine(Root, "tests", "SupportBot.Tests", "Triage", "Eval");

    private static string? Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SupportBot.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
