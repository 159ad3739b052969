using Microsoft.Data.Sqlite;

/// <summary>
/// Fills the queue fast, straight into the bot's SQLite file: one queued conversation the bot wrote itself is copied
/// <c>count</c> times in one transaction, every column as it is but the survivor key, so the rows are whatever the
/// current schema holds (this works before and after storage changes, with no knowledge of the store's code).
/// </summary>
internal static class Seeder
{
    public static long CopyQueuedConversation(string databasePath, int count)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false, DefaultTimeout = 60 }.ToString());
        db.Open();
        using (var busy = db.CreateCommand())
        {
            busy.CommandText = "PRAGMA busy_timeout = 60000;";
            busy.ExecuteNonQuery();
        }

        var columns = new List<string>();
        using (var info = db.CreateCommand())
        {
            info.CommandText = "SELECT name FROM pragma_table_info('Conversations') WHERE name <> 'Id'";
            using var reader = info.ExecuteReader();
            while (reader.Read())
            {
                columns.Add(reader.GetString(0));
            }
        }

        var template = Scalar(db, "SELECT MAX(Id) FROM Conversations") ?? throw new InvalidOperationException("no conversation to copy: the warm-up survivor was not queued");
        var copied = string.Join(", ", columns.Select(c => c == "Survivor" ? "Survivor || ':' || n.i" : c));
        using var transaction = db.BeginTransaction();
        using (var insert = db.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = $"""
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $count)
                INSERT INTO Conversations ({string.Join(", ", columns)})
                SELECT {copied} FROM Conversations, n WHERE Conversations.Id = $template
                """;
            insert.Parameters.AddWithValue("$count", count);
            insert.Parameters.AddWithValue("$template", template);
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return Scalar(db, "SELECT COUNT(*) FROM Conversations") ?? 0;
    }

    private static long? Scalar(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() is long value ? value : null;
    }
}
