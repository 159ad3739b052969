using Microsoft.Data.Sqlite;
using Npgsql;

namespace SupportBot.Core.Storage;

/// <summary>Names what went wrong with the database in a word an admin can act on; never the statement or its values.</summary>
public static class StorageFault
{
    /// <summary>The kind of storage failure behind an exception, or null when it is not one.</summary>
    public static string? Kind(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException sqlite)
            {
                // Primary result codes from sqlite3.h; extended codes keep the primary one in their low byte.
                return (sqlite.SqliteErrorCode & 0xFF) switch
                {
                    5 => "busy: another writer held the lock past Storage:BusyTimeoutSeconds",
                    6 => "locked",
                    8 => "read-only",
                    10 => "I/O error",
                    11 => "corrupt",
                    13 => "disk full",
                    14 => "cannot open the file",
                    var code => $"SQLite error {code}",
                };
            }

            if (e is PostgresException postgres)
            {
                // SQLSTATE classes from the PostgreSQL manual's appendix A; the code alone, never the message (it can quote values).
                return postgres.SqlState switch
                {
                    "40P01" => "deadlock with another process, still there after retries",
                    "40001" => "serialization failure with another process, still there after retries",
                    "53100" => "disk full",
                    "25006" => "read-only",
                    var state when state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal) =>
                        $"PostgreSQL connection lost ({state})",
                    var state when state.StartsWith("53", StringComparison.Ordinal) => $"PostgreSQL out of resources ({state})",
                    var state => $"PostgreSQL error {state}",
                };
            }

            if (e is NpgsqlException)
            {
                return "cannot reach PostgreSQL";
            }
        }

        return null;
    }
}
