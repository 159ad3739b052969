using Microsoft.Data.Sqlite;

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
        }

        return null;
    }
}
