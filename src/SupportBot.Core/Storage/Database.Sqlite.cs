using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Data.Sqlite;

namespace SupportBot.Core.Storage;

// SQLite: the file, its pragmas, its migrations (with the upgrades of files written by earlier releases) and its WAL.
public sealed partial class Database
{
    // Ordered; each runs once, tracked by PRAGMA user_version. Never edit a shipped entry: append a new one.
    // An entry may carry a C# step for data SQL alone cannot convert; it runs in the same transaction.
    private static readonly Migration[] SqliteMigrations =
    [
        new("""
        CREATE TABLE Conversations (
            Id INTEGER PRIMARY KEY AUTOINCREMENT,
            Survivor TEXT NOT NULL,
            Pseudonym TEXT NOT NULL,
            SharedName BLOB NULL,
            Status TEXT NOT NULL,
            Priority INTEGER NOT NULL,
            CreatedAt INTEGER NOT NULL,
            QueuedAt INTEGER NULL,
            ClaimedBy TEXT NULL,
            ClaimedAt INTEGER NULL,
            ClosedAt INTEGER NULL,
            Outcome TEXT NULL
        );
        CREATE INDEX IX_Conversations_Survivor ON Conversations (Survivor);
        CREATE INDEX IX_Conversations_Status ON Conversations (Status, Priority, QueuedAt);
        CREATE TABLE Messages (
            Id INTEGER PRIMARY KEY AUTOINCREMENT,
            ConversationId INTEGER NOT NULL REFERENCES Conversations (Id) ON DELETE CASCADE,
            Sender TEXT NOT NULL,
            Body BLOB NOT NULL,
            SentAt INTEGER NOT NULL
        );
        CREATE INDEX IX_Messages_Conversation ON Messages (ConversationId);
        CREATE TABLE Notes (
            Id INTEGER PRIMARY KEY AUTOINCREMENT,
            ConversationId INTEGER NOT NULL REFERENCES Conversations (Id) ON DELETE CASCADE,
            Volunteer TEXT NOT NULL,
            Body BLOB NOT NULL,
            WrittenAt INTEGER NOT NULL
        );
        CREATE TABLE Audit (
            Id INTEGER PRIMARY KEY AUTOINCREMENT,
            ConversationId INTEGER NOT NULL,
            Volunteer TEXT NOT NULL,
            Action TEXT NOT NULL,
            At INTEGER NOT NULL
        );
        CREATE TABLE ProcessedEvents (
            EventId TEXT PRIMARY KEY,
            At INTEGER NOT NULL
        );
        CREATE TABLE VolunteerFocus (
            Volunteer TEXT PRIMARY KEY,
            ConversationId INTEGER NOT NULL REFERENCES Conversations (Id) ON DELETE CASCADE
        );
        """),
        new("""
        CREATE TABLE Drafts (
            Person TEXT PRIMARY KEY,
            Step TEXT NOT NULL,
            Answers BLOB NOT NULL,
            Kept INTEGER NOT NULL,
            UpdatedAt INTEGER NOT NULL
        );
        """),
        new("""
        ALTER TABLE Conversations ADD COLUMN SurvivorSealed BLOB NULL;
        ALTER TABLE Conversations ADD COLUMN ClaimedBySealed BLOB NULL;
        CREATE TABLE Meta (
            Name TEXT PRIMARY KEY,
            Value BLOB NOT NULL
        );
        """, HashPersonIds),
        // The queue in its shown order (urgent first, then longest waiting) straight from an index, for lists and
        // positions by count; a volunteer's held conversations; the children that a deleted conversation cascades to.
        // ProcessedEvents gets none on At: every event writes a row there, and a second B-tree halved /help throughput
        // under a burst; the sweep finds old ids at the table's start, in rowid order.
        new("""
        DROP INDEX IX_Conversations_Status;
        CREATE INDEX IX_Conversations_Queue ON Conversations (Status, Priority DESC, QueuedAt, Id);
        CREATE INDEX IX_Conversations_Held ON Conversations (ClaimedBy, Status, ClaimedAt, Id);
        CREATE INDEX IX_Conversations_Expiry ON Conversations (Status, ClosedAt, CreatedAt);
        CREATE INDEX IX_Notes_Conversation ON Notes (ConversationId);
        CREATE INDEX IX_Audit_Conversation ON Audit (ConversationId);
        CREATE INDEX IX_VolunteerFocus_Conversation ON VolunteerFocus (ConversationId);
        """),
        // The inbox: an event is stored (sealed) before the platform is told it arrived, and marked handled in the
        // same row, which replaces ProcessedEvents as the one dedupe. Old marks come across as handled rows.
        new("""
        CREATE TABLE Inbox (
            EventId TEXT PRIMARY KEY,
            Platform TEXT NOT NULL,
            Payload BLOB NULL,
            ReceivedAt INTEGER NOT NULL,
            HandledAt INTEGER NULL
        );
        CREATE INDEX IX_Inbox_Pending ON Inbox (Platform, ReceivedAt) WHERE HandledAt IS NULL;
        INSERT INTO Inbox (EventId, Platform, Payload, ReceivedAt, HandledAt) SELECT EventId, '', NULL, At, At FROM ProcessedEvents;
        DROP TABLE ProcessedEvents;
        """),
        // Issue 13 (toola): blocks on a person by their keyed hash, each with an end; a transfer offered to a named
        // volunteer until they accept or decline. Who set a block and why are sealed; the person is only a keyed hash.
        new("""
        CREATE TABLE Blocks (
            Id INTEGER PRIMARY KEY AUTOINCREMENT,
            Person TEXT NOT NULL,
            ConversationId INTEGER NOT NULL,
            BlockedBy TEXT NOT NULL,
            BlockedByName BLOB NULL,
            Reason BLOB NULL,
            CreatedAt INTEGER NOT NULL,
            Until INTEGER NOT NULL,
            LiftedAt INTEGER NULL,
            Told INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX IX_Blocks_Person ON Blocks (Person, Until);
        CREATE TABLE Transfers (
            ConversationId INTEGER PRIMARY KEY REFERENCES Conversations (Id) ON DELETE CASCADE,
            FromVolunteer TEXT NOT NULL,
            ToVolunteer TEXT NOT NULL,
            CreatedAt INTEGER NOT NULL
        );
        """),
        // Issue 13 (toolb): keep-nothing chosen at consent; when a waiting conversation was last re-announced and a
        // holder last nudged; volunteers' declared affiliations and the communities a survivor named, both as keyed
        // hashes (the volunteer's own wording sealed, for their /affiliations list), never the survivor's words.
        new("""
        ALTER TABLE Conversations ADD COLUMN KeepNothing INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE Conversations ADD COLUMN AlertedAt INTEGER NULL;
        ALTER TABLE Conversations ADD COLUMN NudgedAt INTEGER NULL;
        CREATE TABLE Affiliations (
            Volunteer TEXT NOT NULL,
            Tag TEXT NOT NULL,
            Name BLOB NOT NULL,
            PRIMARY KEY (Volunteer, Tag)
        );
        CREATE INDEX IX_Affiliations_Tag ON Affiliations (Tag);
        CREATE TABLE ConversationTags (
            ConversationId INTEGER NOT NULL REFERENCES Conversations (Id) ON DELETE CASCADE,
            Tag TEXT NOT NULL,
            PRIMARY KEY (ConversationId, Tag)
        );
        CREATE INDEX IX_ConversationTags_Tag ON ConversationTags (Tag);
        """),
        // Issue 14: the inbox's insertion order gets a name (Seq, the rowid it always had), so that the same SQL orders
        // pending events on PostgreSQL, which has no rowid. EventId stays the one dedupe, as a unique key.
        new("""
        CREATE TABLE Inbox_New (
            Seq INTEGER PRIMARY KEY,
            EventId TEXT NOT NULL UNIQUE,
            Platform TEXT NOT NULL,
            Payload BLOB NULL,
            ReceivedAt INTEGER NOT NULL,
            HandledAt INTEGER NULL
        );
        INSERT INTO Inbox_New (Seq, EventId, Platform, Payload, ReceivedAt, HandledAt)
            SELECT rowid, EventId, Platform, Payload, ReceivedAt, HandledAt FROM Inbox ORDER BY rowid;
        DROP TABLE Inbox;
        ALTER TABLE Inbox_New RENAME TO Inbox;
        CREATE INDEX IX_Inbox_Pending ON Inbox (Platform, ReceivedAt) WHERE HandledAt IS NULL;
        """),
        // Issue 14 (pgclust): an inbox row is leased to the process that handles it (a random id per run, never a
        // platform id) until a time that process renews while it lives; another process takes a pending row over only
        // once its lease has run out, so a process that died leaves its rows to the others.
        new("""
        ALTER TABLE Inbox ADD COLUMN LeasedBy TEXT NULL;
        ALTER TABLE Inbox ADD COLUMN LeaseUntil INTEGER NULL;
        """),
        // Issue 15: how many wait at each priority, kept by triggers on every change of a conversation's status or
        // priority, so a survivor's place in the queue is a sum of a few rows plus the few queued after them, not a
        // count of everyone ahead (11 ms per consent press with 50,000 waiting).
        new("""
        CREATE TABLE QueueCounts (
            Priority INTEGER PRIMARY KEY,
            Waiting INTEGER NOT NULL
        );
        INSERT INTO QueueCounts (Priority, Waiting) SELECT Priority, COUNT(*) FROM Conversations WHERE Status = 'Queued' GROUP BY Priority;
        CREATE TRIGGER TR_QueueCounts_Insert AFTER INSERT ON Conversations WHEN NEW.Status = 'Queued'
        BEGIN
            INSERT INTO QueueCounts (Priority, Waiting) VALUES (NEW.Priority, 1) ON CONFLICT (Priority) DO UPDATE SET Waiting = Waiting + 1;
        END;
        CREATE TRIGGER TR_QueueCounts_Delete AFTER DELETE ON Conversations WHEN OLD.Status = 'Queued'
        BEGIN
            UPDATE QueueCounts SET Waiting = Waiting - 1 WHERE Priority = OLD.Priority;
        END;
        CREATE TRIGGER TR_QueueCounts_Leave AFTER UPDATE OF Status, Priority ON Conversations
            WHEN OLD.Status = 'Queued' AND (NEW.Status <> 'Queued' OR NEW.Priority <> OLD.Priority)
        BEGIN
            UPDATE QueueCounts SET Waiting = Waiting - 1 WHERE Priority = OLD.Priority;
        END;
        CREATE TRIGGER TR_QueueCounts_Join AFTER UPDATE OF Status, Priority ON Conversations
            WHEN NEW.Status = 'Queued' AND (OLD.Status <> 'Queued' OR NEW.Priority <> OLD.Priority)
        BEGIN
            INSERT INTO QueueCounts (Priority, Waiting) VALUES (NEW.Priority, 1) ON CONFLICT (Priority) DO UPDATE SET Waiting = Waiting + 1;
        END;
        """),
        // Issue 14 (outbox): notices and relays for people other than an event's actor, sealed, from the handler's
        // return until the adapter delivered them; leased like inbox rows, so another process (or the next start) sends
        // what a killed one stored and did not deliver. HeldSince: when the holder wrote or took the row.
        new("""
        CREATE TABLE Outbox (
            Id INTEGER PRIMARY KEY AUTOINCREMENT,
            Platform TEXT NOT NULL,
            Payload BLOB NOT NULL,
            CreatedAt INTEGER NOT NULL,
            LeasedBy TEXT NULL,
            LeaseUntil INTEGER NULL,
            HeldSince INTEGER NOT NULL
        );
        """),
        // A stored reply's conversation, when it belongs to one: a /forget (or the retention sweep) deleting the
        // conversation deletes the replies of it still waiting (a relay of the survivor's words, a note to them), in the
        // same transaction. No index: the outbox holds only what is not delivered yet.
        new("ALTER TABLE Outbox ADD COLUMN ConversationId INTEGER NULL REFERENCES Conversations (Id) ON DELETE CASCADE;"),
    ];

    private static string SqliteConnectionString(StorageOptions options)
    {
        var fullPath = Path.GetFullPath(options.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        CreateOwnerOnly(fullPath);
        return new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            ForeignKeys = true,
            // Seconds a statement waits on a locked database before failing: only another process (a backup, a second
            // bot by mistake) can hold it, as this one writes through one writer.
            DefaultTimeout = options.BusyTimeoutSeconds,
        }.ToString();
    }

    // Every connection zeroes what it deletes (secure_delete), so forgotten words do not linger in free pages. A pooled
    // connection keeps the setting, so each SQLite handle is told once, not at every open: most opens are one read.
    private async Task<DbConnection> OpenSqliteAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_sqlite);
        try
        {
            await connection.OpenAsync(ct);
            if (connection.Handle is not { } handle || !SecureDeleteOn.TryGetValue(handle, out _))
            {
                #pragma warning disable DAP018 // The token is the only member: Dapper.AOT 1.0.48 calls it an unused SQL parameter and does not pass it on, so a short statement runs to its end once started.
                await connection.ExecuteAsync("PRAGMA secure_delete = ON;", new { ct });
                #pragma warning restore DAP018
                if (connection.Handle is { } told)
                {
                    SecureDeleteOn.AddOrUpdate(told, SecureDeleteOn);
                }
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return connection;
    }

    /// <summary>Kept readers waiting to be lent (<see cref="OpenReaderAsync"/>); more than this many idle are closed.</summary>
    internal const int MaxIdleReaders = 8;

    private readonly ConcurrentBag<PreparedStatements> _idleReaders = [];
    private int _idleReaderCount;
    private bool _readersClosed;

    /// <summary>How many kept readers wait to be lent right now.</summary>
    internal int IdleReaders => Volatile.Read(ref _idleReaderCount);

    // Synchronous: opening a SQLite connection and a PRAGMA run on the caller's thread anyway, and a kept one is ready.
    private PreparedStatements RentSqliteReader()
    {
        if (_idleReaders.TryTake(out var reader))
        {
            Interlocked.Decrement(ref _idleReaderCount);
            return reader;
        }

        return new PreparedStatements(OpenSqlite("PRAGMA secure_delete = ON;")) { GiveBack = GiveBackReader };
    }

    // A reader given back inside a transaction would hold a snapshot (and keep a checkpoint from emptying the WAL after a
    // deletion): the hot reads open none, and a reader that did is closed instead of kept.
    private bool GiveBackReader(PreparedStatements reader)
    {
        if (!Volatile.Read(ref _readersClosed) && !reader.InTransaction)
        {
            if (Interlocked.Increment(ref _idleReaderCount) <= MaxIdleReaders)
            {
                _idleReaders.Add(reader);
                if (Volatile.Read(ref _readersClosed))
                {
                    // The database closed meanwhile: close what it may have missed.
                    CloseSqliteReaders();
                }

                return true;
            }

            Interlocked.Decrement(ref _idleReaderCount);
        }

        reader.GiveBack = null;
        return false;
    }

    private void CloseSqliteReaders()
    {
        Volatile.Write(ref _readersClosed, true);
        while (_idleReaders.TryTake(out var reader))
        {
            Interlocked.Decrement(ref _idleReaderCount);
            reader.GiveBack = null;
            reader.Dispose();
        }
    }

    // The SQLite handles (pooled under the connections) already told secure_delete = ON; the value is unused.
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> SecureDeleteOn = new();

    // synchronous=FULL (SQLite's default, said here because survivors are promised what is saved survives power loss):
    // a commit returns only once the WAL is on disk. Its statements stay compiled (PreparedStatements).
    // temp_store=MEMORY: every piece of work runs in its own savepoint, and SQLite copies each page a savepoint changes
    // into a sub-journal first, to undo that piece alone. On a file that journal is written with a system call per
    // page (about ten per durable DM, a tenth of the bot's CPU); in memory it is a copy, emptied at each release. It
    // only undoes a savepoint inside an open transaction: what survives a crash is the WAL's, as before.
    private PreparedStatements OpenSqliteWriter() =>
        new(OpenSqlite("PRAGMA secure_delete = ON; PRAGMA synchronous = FULL; PRAGMA temp_store = MEMORY;"));

    /// <summary>A new connection of its own, open, with <paramref name="pragmas"/> run; disposed again if either fails.</summary>
    private SqliteConnection OpenSqlite(string pragmas)
    {
        var connection = new SqliteConnection(_sqlite);
        try
        {
            connection.Open();
            connection.Execute(pragmas);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies the WAL into the database and empties it, so that pages written before a deletion are gone from the
    /// WAL file too. It runs on a reader's connection (a checkpoint cannot run inside the writer's transaction); a reader
    /// in the middle of a snapshot can hold it back, so it is retried briefly.
    /// </summary>
    private async Task<bool> CheckpointAsync(CancellationToken ct)
    {
        await using var db = await OpenSqliteAsync(ct);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            #pragma warning disable DAP018 // The token is the only member: Dapper.AOT 1.0.48 calls it an unused SQL parameter and does not pass it on, so a short statement runs to its end once started.
            var (busy, _, _) = await db.QuerySingleAsync<CheckpointRow>(
                "PRAGMA wal_checkpoint(TRUNCATE);", new { ct });
            #pragma warning restore DAP018
            if (busy == 0)
            {
                return true;
            }

            await Task.Delay(50, ct);
        }

        return false;
    }

    // SQLite gives its -wal and -shm files the permissions of the database file, so this covers all three.
    private static void CreateOwnerOnly(string path)
    {
        if (File.Exists(path) || OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first; its permissions stand.
        }
    }

    private void MigrateSqlite()
    {
        using var connection = new SqliteConnection(_sqlite);
        connection.Open();
        connection.Execute("PRAGMA journal_mode=WAL;");
        connection.Execute("PRAGMA secure_delete = ON;");
        var version = connection.ExecuteScalar<long>("PRAGMA user_version;");
        CheckSqliteKey(connection, version);
        for (var i = (int)version; i < SqliteMigrations.Length; i++)
        {
            using var transaction = connection.BeginTransaction();
            connection.Execute(SqliteMigrations[i].Sql, transaction: transaction);
            SqliteMigrations[i].Step?.Invoke(this, connection, transaction);
            connection.Execute($"PRAGMA user_version = {i + 1};", transaction: transaction);
            transaction.Commit();
        }

        connection.Execute("INSERT INTO Meta (Name, Value) VALUES ('KeyCheck', @check) ON CONFLICT (Name) DO NOTHING", new { check = KeyCheckValue() });
        if (version < SqliteMigrations.Length && version > 0)
        {
            // An upgrade rewrote rows that held plain ids; rebuild the file so no old page keeps them.
            connection.Execute("VACUUM;");
            connection.Execute("PRAGMA wal_checkpoint(TRUNCATE);");
        }
    }

    /// <summary>
    /// Refuses to start with a key that did not write this file: a check value derived from the key is stored at
    /// first start; a file from before that check proves its key by opening one stored message or draft.
    /// </summary>
    private void CheckSqliteKey(SqliteConnection connection, long version)
    {
        var hasMeta = connection.ExecuteScalar<long>("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'Meta'") == 1;
        var stored = hasMeta ? connection.ExecuteScalar<byte[]?>("SELECT Value FROM Meta WHERE Name = 'KeyCheck'") : null;
        if (stored is not null)
        {
            CheckKeyValue(stored);
            return;
        }

        if (version == 0)
        {
            return;
        }

        try
        {
            var message = connection.QueryFirstOrDefault<SealedMessageRow>("SELECT ConversationId, Body FROM Messages LIMIT 1");
            if (message.Body is not null)
            {
                _cipher.Decrypt(message.Body, $"message:{message.ConversationId}");
            }
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException(WrongKeySqlite);
        }
    }

    /// <summary>Migration 3: platform user ids written in plain text become keyed hashes, with the address sealed where it is needed.</summary>
    private static void HashPersonIds(Database database, DbConnection db, DbTransaction tx)
    {
        var ids = database._ids;
        var rows = db.Query<PlainPersonRow>(
            "SELECT Id, Survivor, ClaimedBy FROM Conversations WHERE SurvivorSealed IS NULL", transaction: tx).ToList();
        foreach (var row in rows)
        {
            var survivor = Address.Parse(row.Survivor);
            var claimedBy = row.ClaimedBy is null ? null : Address.Parse(row.ClaimedBy);
            db.Execute(
                """
                UPDATE Conversations SET Survivor = @survivor, SurvivorSealed = @survivorSealed,
                    ClaimedBy = @claimedBy, ClaimedBySealed = @claimedBySealed
                WHERE Id = @Id
                """,
                new
                {
                    row.Id,
                    survivor = ids.Key(survivor),
                    survivorSealed = ids.Seal(survivor),
                    claimedBy = claimedBy is null ? null : ids.Key(claimedBy),
                    claimedBySealed = claimedBy is null ? null : ids.Seal(claimedBy),
                },
                tx);
        }

        // Event ids too: a platform's fallback id can be built from the user id.
        foreach (var (table, column) in new[] { ("Notes", "Volunteer"), ("Audit", "Volunteer"), ("VolunteerFocus", "Volunteer"), ("Drafts", "Person"), ("ProcessedEvents", "EventId") })
        {
            var plain = db.Query<string>($"SELECT DISTINCT {column} FROM {table}", transaction: tx).Where(PersonIds.IsPlain).ToList();
            foreach (var value in plain)
            {
                db.Execute($"UPDATE {table} SET {column} = @key WHERE {column} = @value", new { key = ids.Key(value), value }, tx);
            }
        }
    }
}
