namespace SupportBot.Core.Storage;

/// <summary>Storage:* configuration. A class, not a record, so that ToString never prints the key.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>
    /// "sqlite" (the default: one process, one file at <see cref="Path"/>) or "postgres" (several processes over one
    /// PostgreSQL database at <see cref="ConnectionString"/>).
    /// </summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The Npgsql connection string of the PostgreSQL database; required with Provider=postgres, unused with SQLite.</summary>
    public string ConnectionString { get; set; } = "";

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);

    public bool IsSqlite => string.Equals(Provider, "sqlite", StringComparison.OrdinalIgnoreCase);

    /// <summary>The SQLite file (and the key file's folder). Relative paths are resolved against the working directory.</summary>
    public string Path { get; set; } = "data/supportbot.db";

    /// <summary>Base64 of 32 bytes. When empty a key file is created beside the database, readable by its owner only.</summary>
    public string EncryptionKey { get; set; } = "";

    /// <summary>Days a closed conversation is kept before the sweep deletes it.</summary>
    public int RetentionDays { get; set; } = 30;

    /// <summary>Seconds a write waits for another writer's lock before it fails and the person is asked to send again.</summary>
    public int BusyTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Seconds an inbox event stays leased to the process that took it in; the process renews its leases while it
    /// runs, and another process (several over one PostgreSQL) takes a dead one's events over once they run out.
    /// </summary>
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>
    /// TEST FAULT, off by default; never set it in production. When true, the process kills itself (as kill -9 would)
    /// right after it stored a handled event's notices and relays in the outbox and before its adapter delivers them,
    /// so that the end-to-end tests can show another process, or the next start, delivers them once.
    /// </summary>
    public bool TestFaultKillAfterOutboxWrite { get; set; }

    /// <summary>
    /// TEST FAULT, 0 (off) by default; never set it in production. When N, the process kills itself (as kill -9 would)
    /// right after the Nth write that stored replies in the outbox committed (an event's own write with its replies, the
    /// survivor's acknowledgement included) and before its adapter delivers any of them.
    /// </summary>
    public int TestFaultKillAfterRepliesKept { get; set; }

    /// <summary>
    /// TEST FAULT, 0 (off) by default; never set it in production. When N, the process kills itself (as kill -9 would)
    /// when the Nth handled event with replies for someone else comes back from its handler, its work committed and
    /// nothing of it delivered, before anything more is stored: the moment a reply not stored with the event's own
    /// write would be lost.
    /// </summary>
    public int TestFaultKillAfterHandled { get; set; }

    /// <summary>
    /// TEST FAULT, 0 (off) by default; never set it in production. When N, the process kills itself (as kill -9 would)
    /// right after the Nth commit that marked an event handled (the event's first write, which carries its mark), before
    /// the handler goes on: the moment anything the event stores one write later would be lost.
    /// </summary>
    public int TestFaultKillAfterEventCommit { get; set; }
}
