using Dapper;
using Microsoft.Data.Sqlite;

namespace SupportBot.Core.Storage;

/// <summary>Opens connections to the SQLite file and brings its schema up to date at start.</summary>
public sealed class Database
{
    // Ordered; each runs once, tracked by PRAGMA user_version. Never edit a shipped entry: append a new one.
    private static readonly string[] Migrations =
    [
        """
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
        """,
        """
        CREATE TABLE Drafts (
            Person TEXT PRIMARY KEY,
            Step TEXT NOT NULL,
            Answers BLOB NOT NULL,
            Kept INTEGER NOT NULL,
            UpdatedAt INTEGER NOT NULL
        );
        """,
    ];

    private readonly string _connectionString;

    public Database(StorageOptions options)
    {
        var fullPath = Path.GetFullPath(options.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        CreateOwnerOnly(fullPath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            ForeignKeys = true,
            // Seconds a statement waits on a locked database before failing; claims from many volunteers queue here.
            DefaultTimeout = 30,
        }.ToString();
        Migrate();
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        return connection;
    }

    /// <summary>Closes pooled connections so the file and its WAL are checkpointed and released.</summary>
    public static void CloseAll() => SqliteConnection.ClearAllPools();

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

    private void Migrate()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        connection.Execute("PRAGMA journal_mode=WAL;");
        var version = connection.ExecuteScalar<long>("PRAGMA user_version;");
        for (var i = (int)version; i < Migrations.Length; i++)
        {
            using var transaction = connection.BeginTransaction();
            connection.Execute(Migrations[i], transaction: transaction);
            connection.Execute($"PRAGMA user_version = {i + 1};", transaction: transaction);
            transaction.Commit();
        }
    }
}
