using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace SupportBot.Core.Storage;

/// <summary>
/// The SQLite writer's connection, keeping each statement it runs compiled for the next time. Microsoft.Data.Sqlite
/// compiles a command's SQL again for every new command, and Dapper makes a new command for every call, so each write
/// paid SQLite's parser and planner for every statement (about a fifth of a durable DM's CPU in the process, by
/// `perf`). Here a command made by Dapper hands its text and parameters, when it runs, to the one prepared
/// <see cref="SqliteCommand"/> kept for that text. Only the one writer uses this connection, one piece of work at a
/// time, and the stores read every result fully before they run the next statement, so no prepared statement is run
/// while its last results are still being read. Disposing the connection finalizes them all. The hot reads use kept
/// connections of this kind too (<see cref="Database.OpenReaderAsync"/>), each lent to one reader at a time.
/// </summary>
internal sealed class PreparedStatements(SqliteConnection inner) : DbConnection
{
    /// <summary>Most statements kept; past it (texts built with lists of values) all are let go and kept anew.</summary>
    internal const int MaxKept = 128;

    private readonly Dictionary<string, SqliteCommand> _kept = new(StringComparer.Ordinal);

    /// <summary>The writer's savepoint statements, compiled once and run straight by SQLite (<see cref="ExecuteBare"/>).</summary>
    private readonly Dictionary<string, sqlite3_stmt> _bare = new(StringComparer.Ordinal);

    /// <summary>Bare parameter names and their @-names, so the @-name is made once (<see cref="AsWritten"/>).</summary>
    private readonly Dictionary<string, string> _atNames = new(StringComparer.Ordinal);

    /// <summary>Statements kept compiled right now.</summary>
    internal int Kept => _kept.Count;

    /// <summary>
    /// For a kept reader (<see cref="Database.OpenReaderAsync"/>): called on dispose instead of closing; true when it took
    /// the connection back, statements and all. Cleared to close it for good.
    /// </summary>
    internal Func<PreparedStatements, bool>? GiveBack { get; set; }

    /// <summary>Whether a transaction is open on the connection (SQLite is out of autocommit mode).</summary>
    internal bool InTransaction => inner.Handle is not { } handle || SQLitePCL.raw.sqlite3_get_autocommit(handle) == 0;

    private int DefaultTimeout => inner.DefaultTimeout;

    [AllowNull]
    public override string ConnectionString
    {
        get => inner.ConnectionString;
        set => throw new NotSupportedException("The writer's connection string is fixed.");
    }

    public override string Database => inner.Database;

    public override string DataSource => inner.DataSource;

    public override string ServerVersion => inner.ServerVersion;

    public override ConnectionState State => inner.State;

    public override void ChangeDatabase(string databaseName) => inner.ChangeDatabase(databaseName);

    public override void Close() => inner.Close();

    public override void Open() => inner.Open();

    // The transaction names this connection as its own, as ADO.NET expects of a transaction Dapper is given with it
    // (Dapper.AOT's generated code refuses one whose Connection is another); commands hand SQLite the inner one.
    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) =>
        new WrappedTransaction(this, inner.BeginTransaction(isolationLevel));

    protected override DbCommand CreateDbCommand() => new Command(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing && GiveBack is { } giveBack && giveBack(this))
        {
            return;
        }

        if (disposing)
        {
            LetGo();
            foreach (var statement in _bare.Values)
            {
                statement.Dispose();
            }

            _bare.Clear();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Runs a statement without parameters or results (the writer's savepoints, four for every piece of work) as a
    /// statement SQLite keeps compiled, stepped and reset here. A <see cref="SqliteCommand"/> made a data reader, looked up
    /// its transaction and cleared its parameters for each run: about 1.2 KB and four readers per durable DM.
    /// </summary>
    internal void ExecuteBare(string sql)
    {
        var db = inner.Handle ?? throw new InvalidOperationException("The writer's connection is closed.");
        if (!_bare.TryGetValue(sql, out var statement))
        {
            SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(db, sql, out statement), db);
            _bare[sql] = statement;
        }

        var rc = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    /// <summary>The SQLite transaction behind one begun here; one begun on another connection is refused.</summary>
    private SqliteTransaction? InnerOf(DbTransaction? tx) => tx switch
    {
        null => null,
        WrappedTransaction own when ReferenceEquals(own.Connection, this) => own.Inner,
        _ => throw new InvalidOperationException("The transaction was not begun on this connection."),
    };

    private SqliteCommand For(string sql)
    {
        if (!_kept.TryGetValue(sql, out var command))
        {
            if (_kept.Count >= MaxKept)
            {
                LetGo();
            }

            command = inner.CreateCommand();
            command.CommandText = sql;
            _kept[sql] = command;
        }

        return command;
    }

    private void LetGo()
    {
        foreach (var command in _kept.Values)
        {
            command.Dispose();
        }

        _kept.Clear();
    }

    /// <summary>What Dapper fills in; it runs as the connection's prepared command for its text.</summary>
    private sealed class Command(PreparedStatements connection) : DbCommand
    {
        // Only a place for Dapper to put the parameters: a whole SqliteCommand per call was the larger part of its cost.
        private readonly ParameterList _parameters = new();
        private int? _timeout;

        [AllowNull]
        public override string CommandText { get; set; } = "";

        public override int CommandTimeout
        {
            get => _timeout ?? connection.DefaultTimeout;
            set => _timeout = value;
        }

        public override CommandType CommandType { get; set; } = CommandType.Text;

        public override bool DesignTimeVisible { get; set; }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection
        {
            get => connection;
            set
            {
                // Dapper.AOT sets the connection the command was made by; any other is refused.
                if (!ReferenceEquals(value, connection))
                {
                    throw new NotSupportedException("A command of a kept-statements connection stays on it.");
                }
            }
        }

        protected override DbParameterCollection DbParameterCollection => _parameters;

        protected override DbTransaction? DbTransaction { get; set; }

        public override void Cancel()
        {
            // Nothing to stop: SQLite runs the statement on the caller's thread, to its end.
        }

        public override void Prepare()
        {
            // Kept prepared once it has run.
        }

        public override int ExecuteNonQuery()
        {
            var prepared = Prepared();
            try
            {
                return prepared.ExecuteNonQuery();
            }
            finally
            {
                prepared.Parameters.Clear();
            }
        }

        public override object? ExecuteScalar()
        {
            var prepared = Prepared();
            try
            {
                return prepared.ExecuteScalar();
            }
            finally
            {
                prepared.Parameters.Clear();
            }
        }

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => Prepared().ExecuteReader(behavior);

        protected override DbParameter CreateDbParameter() => new SqliteParameter();

        private SqliteCommand Prepared()
        {
            if (CommandType != CommandType.Text)
            {
                throw new NotSupportedException("SQLite runs text commands only.");
            }

            var prepared = connection.For(CommandText);
            prepared.Transaction = connection.InnerOf(DbTransaction);
            prepared.CommandTimeout = CommandTimeout;

            prepared.Parameters.Clear();
            foreach (SqliteParameter parameter in _parameters)
            {
                parameter.ParameterName = connection.AsWritten(parameter.ParameterName, CommandText);
                prepared.Parameters.Add(parameter);
            }

            return prepared;
        }
    }

    /// <summary>The parameters of a <see cref="Command"/> until it runs; Microsoft.Data.Sqlite's own list, made on its own.</summary>
    private sealed class ParameterList : SqliteParameterCollection;

    /// <summary>
    /// A parameter's name as the SQL writes it: Dapper names them bare (<c>id</c>), and Microsoft.Data.Sqlite then
    /// looks a bare name up four times at every run (as given, then with @, : and $, each a new string turned into
    /// UTF-8), about 3 % of a survivor's CPU in the process (`perf`). Named <c>@id</c> when the SQL has that, it is
    /// found at the first look; otherwise left as it was, so a parameter binds exactly as before.
    /// </summary>
    private string AsWritten(string name, string sql)
    {
        if (name.Length == 0 || name[0] is '@' or ':' or '$')
        {
            return name;
        }

        if (!_atNames.TryGetValue(name, out var atName))
        {
            atName = "@" + name;
            if (_atNames.Count < MaxKept)
            {
                _atNames[name] = atName;
            }
        }

        return sql.Contains(atName, StringComparison.Ordinal) ? atName : name;
    }

    /// <summary>A transaction of the inner connection that reports this connection as its own.</summary>
    private sealed class WrappedTransaction(PreparedStatements connection, SqliteTransaction inner) : DbTransaction
    {
        internal SqliteTransaction Inner => inner;

        public override IsolationLevel IsolationLevel => inner.IsolationLevel;

        public override bool SupportsSavepoints => inner.SupportsSavepoints;

        protected override DbConnection DbConnection => connection;

        public override void Commit() => inner.Commit();

        public override void Rollback() => inner.Rollback();

        public override void Save(string savepointName) => inner.Save(savepointName);

        public override void Rollback(string savepointName) => inner.Rollback(savepointName);

        public override void Release(string savepointName) => inner.Release(savepointName);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
