using SupportBot.Core.Content;
using SupportBot.Tests.Support;

namespace SupportBot.Tests.Content;

/// <summary>Finds the real prompts/ folder and makes loadable copies of it in temporary folders.</summary>
internal static class PromptsFolder
{
    /// <summary>The repository's prompts/ folder.</summary>
    public static string Real => TestPaths.Prompts;

    public static ContentCatalog LoadReal() => ContentCatalog.Load(Real);

    /// <summary>A temporary copy of prompts/, for tests that break one file.</summary>
    public static TempFolder TempCopy()
    {
        var temp = new TempFolder();
        CopyDirectory(Real, temp.Path);
        return temp;
    }

    /// <summary>Every content file under prompts/, the bot's own messages included.</summary>
    public static IEnumerable<string> ContentFiles() =>
        Directory.GetFiles(Real, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    public static string Relative(string file) => System.IO.Path.GetRelativePath(Real, file).Replace('\\', '/');

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        }

        foreach (var dir in Directory.GetDirectories(from))
        {
            CopyDirectory(dir, System.IO.Path.Combine(to, System.IO.Path.GetFileName(dir)));
        }
    }
}
