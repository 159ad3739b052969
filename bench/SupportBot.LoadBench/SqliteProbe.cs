using System.Diagnostics;
using Microsoft.Data.Sqlite;

/// <summary>
/// What the disk and SQLite give one durable row at a time: 50 writers, each on its own connection and thread, each
/// committing one 300-byte row per transaction, WAL with synchronous=FULL, waiting on each other in SQLite's own busy
/// handler. The bot's durable DMs per second are compared with this, measured in the same run on the same disk.
/// </summary>
internal static class SqliteProbe
{
    public static Measurement Run(string scenario, string folder, double seconds, int writers = 50)
    {
        var path = Path.Combine(folder, "probe.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        using (var setup = new SqliteConnection(connectionString))
        {
            setup.Open();
            Execute(setup, "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS Probe (Id INTEGER PRIMARY KEY, Body BLOB NOT NULL);");
        }

        var rows = 0L;
        var until = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var threads = Enumerable.Range(0, writers).Select(_ => new Thread(() =>
        {
            using var db = new SqliteConnection(connectionString);
            db.Open();
            Execute(db, "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;");
            using var insert = db.CreateCommand();
            insert.CommandText = "INSERT INTO Probe (Body) VALUES ($body)";
            insert.Parameters.AddWithValue("$body", new byte[300]);
            while (Stopwatch.GetTimestamp() < until)
            {
                Execute(db, "BEGIN IMMEDIATE;");
                insert.ExecuteNonQuery();
                Execute(db, "COMMIT;");
                Interlocked.Increment(ref rows);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        File.Delete(path);
        return new Measurement(scenario, "raw SQLite", (int)rows, (int)rows, rows / elapsed, Note: $"{writers} writers, 1 row/commit, WAL, synchronous=FULL");
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
