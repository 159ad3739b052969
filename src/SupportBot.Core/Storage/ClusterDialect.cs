namespace SupportBot.Core.Storage;

/// <summary>
/// The few pieces that differ when several processes share one database, kept together so that the inbox and the
/// cluster lock say them once. <see cref="SeveralProcesses"/>: whether other processes, perhaps on other machines, share
/// the database (PostgreSQL): only a lease that ran out says one of them is gone. On SQLite (one process by design) the
/// processes on a file share its machine, and tell that another ended by its <see cref="OwnerLock"/>.
/// <see cref="SkipLocked"/>: appended to the query that picks inbox rows to take over, so that a process skips rows
/// another one is taking at that moment instead of waiting for them. <see cref="TryLock"/>: the query that takes the
/// cluster lock for this session if it is free (true) or says another holds it (false); null where there is no other
/// process to share with, so this one always holds it; <see cref="Unlock"/> lets it go. <see cref="LockPerson"/>: a
/// statement that holds one person (by keyed hash) until the transaction ends, so two processes handling that person's
/// messages at once do not both open a conversation for them; null where the one writer already does that.
/// </summary>
internal sealed record ClusterDialect(bool SeveralProcesses, string SkipLocked, string? TryLock, string? Unlock, string? LockPerson)
{
    /// <summary>One writer in one process: nothing to skip, nobody to share the timers or a person with.</summary>
    public static readonly ClusterDialect Sqlite = new(SeveralProcesses: false, SkipLocked: "", TryLock: null, Unlock: null, LockPerson: null);

    /// <summary>
    /// Several processes: each takes rows no other is taking, without waiting on their row locks; the cluster lock is a
    /// session advisory lock, held as long as the connection that took it stays open, released by the server when the
    /// process ends, however it ends.
    /// </summary>
    public static readonly ClusterDialect Postgres = new(
        SeveralProcesses: true,
        SkipLocked: " FOR UPDATE SKIP LOCKED",
        TryLock: "SELECT pg_try_advisory_lock(@key)",
        Unlock: "SELECT pg_advisory_unlock(@key)",
        LockPerson: "SELECT pg_advisory_xact_lock(hashtextextended(@key, 0))");
}
