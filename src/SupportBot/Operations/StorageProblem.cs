using Microsoft.Data.Sqlite;

namespace SupportBot.Operations;

/// <summary>Turns a failure to create or write the database (or its key file) into one line an admin can act on.</summary>
internal static class StorageProblem
{
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCantOpen = 14;

    public static string? Describe(Exception e, string databasePath)
    {
        if (e is not (UnauthorizedAccessException or IOException or SqliteException { SqliteErrorCode: SqliteReadOnly or SqliteIoError or SqliteCantOpen }))
        {
            return null;
        }

        var full = Path.GetFullPath(databasePath);
        var folder = Path.GetDirectoryName(full) ?? ".";
        var uid = UserId();
        var why = e is SqliteException { SqliteErrorCode: SqliteReadOnly } ? "the database is read-only" : "the database cannot be created or written";
        return $"SupportBot cannot start: {why} at {full} (the process runs as user id {uid}). "
            + $"Fix: make {folder} and the files in it writable by user id {uid}, for a bind mount with `sudo chown -R {uid}:{uid} <host folder>`, or use a named volume.";
    }

    /// <summary>The effective user id, read from /proc on Linux; "unknown" elsewhere.</summary>
    public static string UserId()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = line?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: >= 3 } ? fields[2] : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
