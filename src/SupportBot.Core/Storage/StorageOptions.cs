namespace SupportBot.Core.Storage;

/// <summary>Storage:* configuration. A class, not a record, so that ToString never prints the key.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The SQLite file. Relative paths are resolved against the working directory.</summary>
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
}
