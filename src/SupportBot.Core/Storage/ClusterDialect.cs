namespace SupportBot.Core.Storage;

/// <summary>
/// The few pieces that differ when several processes share one database, kept together so that the inbox and the
/// cluster lock say them once. <see cref="SeveralProcesses"/>: whether another live process may hold leases and locks;
/// on SQLite (one process by design) a lease held by another run belongs to a process that is gone.
/// <see cref="SkipLocked"/>: appended to the query that picks inbox rows to take over, so that a process skips rows
/// another one is taking at that moment instead of waiting for them. <see cref="Arrival"/>: a column that orders
/// events received in the same millisecond as they arrived.
/// </summary>
internal sealed record ClusterDialect(bool SeveralProcesses, string SkipLocked, string Arrival)
{
    /// <summary>One writer in one process: nothing to skip, and the rowid is the order of arrival.</summary>
    public static readonly ClusterDialect Sqlite = new(SeveralProcesses: false, SkipLocked: "", Arrival: "rowid");
}
