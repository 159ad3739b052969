namespace SupportBot.Tests.Support;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string purpose = "test") => Path = Directory.CreateTempSubdirectory($"supportbot-{purpose}-").FullName;

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
            // A file still held open (a killed process, a pooled connection) is left for the OS temp cleaner:
            // a test never fails on cleanup.
        }
    }
}
