using System.Text.Json;
using SupportBot.Core.Content;

namespace SupportBot.Tests.Content;

/// <summary>Finds the real prompts/ folder and makes loadable copies of it in temporary folders.</summary>
internal static class PromptsFolder
{
    /// <summary>The repository's prompts/ folder, found by walking up to the folder holding SupportBot.sln.</summary>
    public static string Real { get; } = FindReal();

    /// <summary>Loads the real folder. Until prompts/messages.json exists (another branch owns it), a copy is loaded with stand-in messages.</summary>
    public static ContentCatalog LoadReal()
    {
        if (File.Exists(Path.Combine(Real, "messages.json")))
        {
            return ContentCatalog.Load(Real);
        }

        using var copy = TempCopy();
        return ContentCatalog.Load(copy.Path);
    }

    /// <summary>A temporary copy of prompts/ that loads: it gets stand-in messages if the real file is not there yet.</summary>
    public static TempFolder TempCopy()
    {
        var temp = new TempFolder();
        CopyDirectory(Real, temp.Path);
        var messages = System.IO.Path.Combine(temp.Path, "messages.json");
        if (!File.Exists(messages))
        {
            File.WriteAllText(messages, StandInMessages());
        }

        return temp;
    }

    /// <summary>Every content file under prompts/ except messages.json, which another part of the team writes.</summary>
    public static IEnumerable<string> ContentFiles() =>
        Directory.GetFiles(Real, "*.json", SearchOption.AllDirectories)
            .Where(f => !string.Equals(System.IO.Path.GetFileName(f), "messages.json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    public static string Relative(string file) => System.IO.Path.GetRelativePath(Real, file).Replace('\\', '/');

    /// <summary>A messages.json with every <see cref="Messages"/> property set, built from the record's constructor.</summary>
    public static string StandInMessages()
    {
        var parameters = typeof(Messages).GetConstructors().Single().GetParameters();
        var values = parameters.ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!), p => $"stand-in for {p.Name}");
        return JsonSerializer.Serialize(values);
    }

    private static string FindReal()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "SupportBot.sln")))
            {
                return System.IO.Path.Combine(dir.FullName, "prompts");
            }
        }

        throw new InvalidOperationException($"No SupportBot.sln above {AppContext.BaseDirectory}.");
    }

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

internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "supportbot-content-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; never fail a test on cleanup.
        }
    }
}
