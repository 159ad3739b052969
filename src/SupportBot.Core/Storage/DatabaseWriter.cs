using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace SupportBot.Core.Storage;

/// <summary>
/// The one writer: every durable write in the process goes through here, on one connection, and whatever callers
/// queued while the last commit ran is committed together in the next transaction (group commit). Each caller's
/// task completes only once the transaction holding its work is durable (synchronous=FULL). Each piece of work runs
/// in its own savepoint, so work that throws is undone and fails alone while its batch mates commit. A failure of
/// the transaction itself (disk full, I/O error, a lock another process held past the busy timeout) fails every
/// caller in the batch with that exception, and the connection is opened afresh for the next batch, so writes work
/// again as soon as storage does. Only one thread writes, so the busy timeout is left to other processes (backups).
/// </summary>
internal sealed class DatabaseWriter(Func<SqliteConnection> open) : IDisposable
{
    /// <summary>Most pieces of work in one transaction, so that one commit never holds the file for long.</summary>
    internal const int MaxBatch = 256;

    private readonly ConcurrentQueue<Work> _queue = new();
    private readonly Lock _connectionLock = new();
    private SqliteConnection? _connection;
    private int _draining;
    private bool _disposed;
    private long _commits;

    /// <summary>Transactions committed so far; fewer than the writes when callers came together.</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    public Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ct.ThrowIfCancellationRequested();
        var item = new Work<T>(work, WriteMark.Current, ct);
        _queue.Enqueue(item);
        if (Interlocked.CompareExchange(ref _draining, 1, 0) == 0)
        {
            // Not flowing the caller's context: the drain serves everyone, and each piece of work carries its own mark.
            ThreadPool.UnsafeQueueUserWorkItem(static writer => writer.Drain(), this, preferLocal: false);
        }

        return item.Task;
    }

    public void Dispose()
    {
        lock (_connectionLock)
        {
            _disposed = true;
            _connection?.Dispose();
            _connection = null;
        }
    }

    private void Drain()
    {
        var batch = new List<Work>(MaxBatch);
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var item))
            {
                if (!item.TryCancel())
                {
                    batch.Add(item);
                }
            }

            if (batch.Count > 0)
            {
                Commit(batch);
                continue;
            }

            // Stop, unless work arrived between the last look and the flag going down and no new drain took it.
            Volatile.Write(ref _draining, 0);
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _draining, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private void Commit(List<Work> batch)
    {
        lock (_connectionLock)
        {
            SqliteTransaction? tx = null;
            try
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _connection ??= open();
                tx = _connection.BeginTransaction();
                foreach (var item in batch)
                {
                    RunInSavepoint(_connection, tx, item);
                }

                tx.Commit();
                tx.Dispose();
                Interlocked.Increment(ref _commits);
                foreach (var item in batch)
                {
                    item.Complete();
                }
            }
            catch (Exception e)
            {
                foreach (var item in batch)
                {
                    item.Fail(e);
                }

                // Whatever state the failure left behind goes with the connection; the next batch opens a new one.
                try
                {
                    tx?.Dispose();
                }
                catch (SqliteException)
                {
                    // SQLite already rolled the transaction back.
                }

                _connection?.Dispose();
                _connection = null;
            }
        }
    }

    /// <summary>Runs one caller's work; work that throws is rolled back to its savepoint and fails alone.</summary>
    private static void RunInSavepoint(SqliteConnection db, SqliteTransaction tx, Work item)
    {
        tx.Save("work");
        try
        {
            item.Run(db, tx);
            item.Mark?.Write(db, tx);
            tx.Release("work");
        }
        catch (Exception e)
        {
            // When the savepoint is gone, SQLite rolled back the whole transaction (disk full, I/O error): the batch
            // then fails with this work's exception.
            if (!TryRollBackTo(tx))
            {
                throw;
            }

            item.Fail(e);
        }
    }

    private static bool TryRollBackTo(SqliteTransaction tx)
    {
        try
        {
            tx.Rollback("work");
            tx.Release("work");
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    private abstract class Work(WriteMark? mark, CancellationToken ct)
    {
        public WriteMark? Mark { get; } = mark;

        protected CancellationToken Ct { get; } = ct;

        /// <summary>True when the caller gave up before the work started; its task is then cancelled.</summary>
        public abstract bool TryCancel();

        public abstract void Run(SqliteConnection db, SqliteTransaction tx);

        /// <summary>The transaction committed: the work's result, unless the work itself failed.</summary>
        public abstract void Complete();

        public abstract void Fail(Exception e);
    }

    private sealed class Work<T>(Func<SqliteConnection, SqliteTransaction, T> work, WriteMark? mark, CancellationToken ct) : Work(mark, ct)
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private bool _ran;

        public Task<T> Task => _done.Task;

        public override bool TryCancel() => Ct.IsCancellationRequested && _done.TrySetCanceled(Ct);

        public override void Run(SqliteConnection db, SqliteTransaction tx)
        {
            _result = work(db, tx);
            _ran = true;
        }

        public override void Complete()
        {
            if (_ran)
            {
                // Marked before the caller can resume: its continuation may run on another thread before this one
                // goes on, and a caller that finds the mark unset marks the event again (and a test fails under load).
                Mark?.Committed();
                _done.TrySetResult(_result!);
            }
        }

        public override void Fail(Exception e) => _done.TrySetException(e);
    }
}

/// <summary>
/// The handled mark of the event being handled: while it is current (<see cref="Begin"/>), every write made for the
/// event also marks it handled, in the same savepoint, so its work and its mark commit together or not at all.
/// </summary>
internal sealed class WriteMark
{
    private static readonly AsyncLocal<WriteMark?> Ambient = new();
    private readonly Action<SqliteConnection, SqliteTransaction> _write;
    private volatile bool _committed;

    private WriteMark(Action<SqliteConnection, SqliteTransaction> write) => _write = write;

    internal static WriteMark? Current => Ambient.Value;

    /// <summary>True once a write carrying this mark has committed: the event is marked handled.</summary>
    public bool IsCommitted => _committed;

    /// <summary>Makes this mark ride on every write of the current flow until the returned scope is disposed.</summary>
    internal static Scope Begin(Action<SqliteConnection, SqliteTransaction> write)
    {
        var mark = new WriteMark(write);
        var previous = Ambient.Value;
        Ambient.Value = mark;
        return new Scope(mark, previous);
    }

    internal void Write(SqliteConnection db, SqliteTransaction tx) => _write(db, tx);

    internal void Committed() => _committed = true;

    internal readonly struct Scope(WriteMark mark, WriteMark? previous) : IDisposable
    {
        public WriteMark Mark => mark;

        public void Dispose() => Ambient.Value = previous;
    }
}
