namespace SupportBot.Tests.Storage;

/// <summary>Reads a SQLite database and its WAL as bytes, as someone who copied the files would, while the bot still has them open.</summary>
internal static class RawFiles
{
    public static byte[] Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The database, its WAL and its shared-memory index, one after another.</summary>
    public static byte[] ReadDatabase(string databasePath) =>
        [.. Read(databasePath), .. Read(databasePath + "-wal"), .. Read(databasePath + "-shm")];

    public static int Count(byte[] haystack, ReadOnlySpan<byte> needle)
    {
        var count = 0;
        var rest = haystack.AsSpan();
        int at;
        while (needle.Length > 0 && (at = rest.IndexOf(needle)) >= 0)
        {
            count++;
            rest = rest[(at + 1)..];
        }

        return count;
    }

    public static int Count(byte[] haystack, string text) => Count(haystack, System.Text.Encoding.UTF8.GetBytes(text));
}
