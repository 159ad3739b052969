/// <summary>The raw SQLite probe (bench/Shared/SqliteRowProbe.cs) as a row of the matrix.</summary>
internal static class SqliteProbe
{
    public static Measurement Run(string scenario, string folder, double seconds, int writers = 50)
    {
        var (rows, elapsed) = SqliteRowProbe.Run(Path.Combine(folder, "probe.db"), seconds, writers);
        return new Measurement(scenario, "raw SQLite", (int)rows, (int)rows, rows / elapsed.TotalSeconds, Note: $"{writers} writers, 1 row/commit, WAL, synchronous=FULL");
    }
}
