/// <summary>
/// One run of one scenario by one bot. Rate is the figure the scenario is about (answers/s, survivors queued/s,
/// durable DMs/s, rows/s); latencies are to the first response (Discord callback, Slack ack), in ms.
/// </summary>
internal sealed record Measurement(
    string Scenario,
    string Bot,
    int Offered,
    int Done,
    double Rate,
    int? WithinDeadline = null,
    double? P50 = null,
    double? P99 = null,
    double? Max = null,
    int? Connections = null,
    double? CpuMsPerRequest = null,
    double? StartToReadyMs = null,
    double? RssMb = null,
    double? ReadyCpuMs = null,
    string Note = "")
{
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
