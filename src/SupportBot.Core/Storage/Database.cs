using System.Data.Common;
using System.Security.Cryptography;
using Npgsql;

namespace SupportBot.Core.Storage;

/// <summary>
/// The database, on SQLite (one process, one file) or PostgreSQL (several processes, one database), chosen by
/// Storage:Provider. It opens connections, brings the schema up to date at start and refuses a key that is not the one
/// the data was written with. Reads open their own connections (<see cref="OpenAsync"/>); every write goes through
/// <see cref="WriteAsync"/>, the one writer of this process, and never opens a connection of its own. Everything that
/// differs between the two providers is in this class: this file, Database.Sqlite.cs and Database.Postgres.cs.
/// The stores above it write one SQL that both run.
/// </summary>
public sealed partial class Database : IDisposable
{
    private readonly MessageCipher _cipher;
    private readonly PersonIds _ids;
    private readonly DatabaseWriter _writer;
    private readonly string? _sqlite;
    private readonly NpgsqlDataSource? _postgres;
    private long _erasures;

    public Database(StorageOptions options, MessageCipher cipher, PersonIds ids)
    {
        _cipher = cipher;
        _ids = ids;
        if (options.IsPostgres)
        {
            _postgres = CreateDataSource(options);
            try
            {
                MigratePostgres();
            }
            catch
            {
                _postgres.Dispose();
                throw;
            }

            _writer = new DatabaseWriter(OpenPostgresWriter, IsPostgresConflict);
        }
        else
        {
            _sqlite = SqliteConnectionString(options);
            MigrateSqlite();
            _writer = new DatabaseWriter(OpenSqliteWriter, static _ => false);
        }
    }

    /// <summary>True on PostgreSQL, where several processes may share the database; false on SQLite.</summary>
    public bool IsPostgres => _postgres is not null;

    /// <summary>
    /// Runs <paramref name="work"/> in the one writer's transaction, committed with whatever other callers queued at the
    /// same time; completes once it is durable. Work that throws is undone alone and its exception is thrown here; a
    /// failed commit (disk full, locked, read-only, the server gone) throws for every caller in it, and
    /// <see cref="StorageFault"/> names it. The work runs on the writer's thread: it must only read and write through
    /// the connection and transaction given, and it may run more than once (PostgreSQL retries a batch that deadlocked
    /// with another process), so it must not act outside the database.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> work, CancellationToken ct) =>
        _writer.WriteAsync(work, ct);

    /// <summary>A connection for reads (and for work that must run outside the writer's transaction); dispose it.</summary>
    /// <remarks>Not awaited here: this method's state machine would load Npgsql on SQLite too (bench/HISTORY.md).</remarks>
    public Task<DbConnection> OpenAsync(CancellationToken ct) =>
        _postgres is null ? OpenSqliteAsync(ct) : OpenPostgresAsync(ct);

    /// <summary>
    /// A connection for a hot read (one that runs for most events: is this person blocked, where does a conversation
    /// stand), whose statements stay compiled between uses on SQLite: disposing it gives it back to a few kept readers
    /// (<see cref="PreparedStatements"/>) instead of closing it, so its SQL is not parsed and planned again at every
    /// event. Only for reads that read each result fully before the next statement and open no transaction. On
    /// PostgreSQL it is <see cref="OpenAsync"/>.
    /// </summary>
    public Task<DbConnection> OpenReaderAsync(CancellationToken ct) =>
        _postgres is null ? Task.FromResult<DbConnection>(RentSqliteReader()) : OpenPostgresAsync(ct);

    /// <summary>
    /// After a deletion of someone's words (/forget, keep-nothing), makes the deleted rows' bytes go from where the
    /// database keeps old versions: on SQLite the WAL is checkpointed and emptied (secure_delete already zeroed the
    /// pages); on PostgreSQL the named tables are vacuumed (see <see cref="VacuumAsync"/> for what that does and does
    /// not promise). False when it could not run now; the deletion itself is committed either way.
    /// </summary>
    public Task<bool> EraseDeletedAsync(IReadOnlyList<string> tables, CancellationToken ct)
    {
        Interlocked.Increment(ref _erasures);
        return _postgres is null ? CheckpointAsync(ct) : VacuumAsync(tables, ct);
    }

    /// <summary>How many times <see cref="EraseDeletedAsync"/> ran, so that a write following one can erase again.</summary>
    internal long Erasures => Interlocked.Read(ref _erasures);

    public void Dispose()
    {
        _writer.Dispose();
        CloseSqliteReaders();
        _postgres?.Dispose();
    }

    internal long Commits => _writer.Commits;

    internal long Retries => _writer.Retries;

    /// <summary>What differs when several processes share this database (inbox takeover, the cluster lock).</summary>
    internal ClusterDialect Cluster => IsPostgres ? ClusterDialect.Postgres : ClusterDialect.Sqlite;

    /// <summary>Closes pooled connections so files are checkpointed and released (SQLite) and sessions ended (PostgreSQL).</summary>
    public static void CloseAll()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Refuses a key whose check value is not the stored one.</summary>
    private void CheckKeyValue(byte[] stored)
    {
        if (!CryptographicOperations.FixedTimeEquals(stored, KeyCheckValue()))
        {
            throw new InvalidOperationException(IsPostgres ? WrongKeyPostgres : WrongKeySqlite);
        }
    }

    private const string WrongKeySqlite =
        "The encryption key does not open this database: start with the Storage:EncryptionKey (or supportbot.key file) it was created with, or point Storage:Path at a new database.";

    private const string WrongKeyPostgres =
        "The encryption key does not open this database: every process must start with the Storage:EncryptionKey the PostgreSQL database was created with.";

    private byte[] KeyCheckValue() => _cipher.DeriveKey("key-check");

    private sealed record Migration(string Sql, Action<Database, DbConnection, DbTransaction>? Step = null);
}
