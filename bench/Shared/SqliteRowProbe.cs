using System.Diagnostics;
using Microsoft.Data.Sqlite;

/// <summary>
/// What the disk and SQLite give one durable row at a time: <c>writers</c> threads, each on its own connection, each
/// committing one 300-byte row per transaction, WAL with synchronous=FULL, waiting on each other in SQLite's own busy
/// handler. The bot's durable DMs per second are compared with this, on the same disk in the same run (bench/LoadBench
/// end to end, bench/Bench's "durable" scenario for the storage path alone); both link this one file.
/// </summary>
internal static class SqliteRowProbe
{
    /// <summary>Runs the probe on a new database at <paramref name="path"/>, deleted afterwards: rows committed and the time taken.</summary>
    public static (long Rows, TimeSpan Elapsed) Run(string path, double seconds, int writers)
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        using (var setup = new SqliteConnection(connectionString))
        {
            setup.Open();
            Execute(setup, "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS Probe (Id INTEGER PRIMARY KEY, Body BLOB NOT NULL);");
        }

        var rows = 0L;
        var started = Stopwatch.GetTimestamp();
        var until = started + (long)(seconds * Stopwatch.Frequency);
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
        var elapsed = Stopwatch.GetElapsedTime(started);
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            File.Delete(file);
        }

        return (rows, elapsed);
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
