using Microsoft.Data.Sqlite;
using Npgsql;
using SupportBot.Core.Storage;

namespace SupportBot.Operations;

/// <summary>Turns a failure to create or write the database (or its key file) into one line an admin can act on.</summary>
internal static class StorageProblem
{
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteCantOpen = 14;

    public static string? Describe(Exception e, StorageOptions storage)
    {
        if (storage.IsPostgres)
        {
            return DescribePostgres(e);
        }

        var databasePath = storage.Path;
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

    // The server's own words name the cause (no such database, authentication failed for a user) and never the password.
    private static string? DescribePostgres(Exception e) => e switch
    {
        PostgresException refused =>
            $"SupportBot cannot start: PostgreSQL refused ({refused.SqlState}: {refused.MessageText}). Check Storage:ConnectionString and that the database and user exist.",
        NpgsqlException =>
            $"SupportBot cannot start: the PostgreSQL server in Storage:ConnectionString cannot be reached ({(e.InnerException ?? e).GetType().Name}). Check Host and Port, and that the server is running.",
        _ => null,
    };

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
