using System.Collections.Concurrent;
using System.Data.Common;

namespace SupportBot.Core.Storage;

/// <summary>
/// The one writer: every durable write in the process goes through here, on one connection, and whatever callers
/// queued while the last commit ran is committed together in the next transaction (group commit). Each caller's
/// task completes only once the transaction holding its work is durable (synchronous=FULL on SQLite, a synchronous
/// commit on PostgreSQL). Each piece of work runs in its own savepoint, so work that throws is undone and fails alone
/// while its batch mates commit. A failure of the transaction itself (disk full, I/O error, a lock another process
/// held past the busy timeout, a lost server) fails every caller in the batch with that exception, and the connection
/// is opened afresh for the next batch, so writes work again as soon as storage does. On PostgreSQL another process's
/// transaction can deadlock with this batch or conflict with it (<paramref name="isTransient"/>): the whole batch is
/// then rolled back and its work run again one piece per transaction, each a few times, before its caller is failed.
/// That retry lives here and nowhere else.
/// </summary>
internal sealed class DatabaseWriter(Func<DbConnection> open, Func<Exception, bool> isTransient) : IDisposable
{
    /// <summary>Most pieces of work in one transaction, so that one commit never holds the file for long.</summary>
    internal const int MaxBatch = 256;

    /// <summary>Runs of one piece of work on its own, after its batch deadlocked, before the failure reaches its caller.</summary>
    internal const int MaxAttempts = 5;

    private readonly ConcurrentQueue<Work> _queue = new();
    private readonly Lock _connectionLock = new();
    private DbConnection? _connection;
    private int _draining;
    private bool _disposed;
    private long _commits;
    private long _retries;

    /// <summary>Transactions committed so far; fewer than the writes when callers came together.</summary>
    internal long Commits => Interlocked.Read(ref _commits);

    /// <summary>Batches and pieces of work run again after a deadlock or serialization failure with another process.</summary>
    internal long Retries => Interlocked.Read(ref _retries);

    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> work, CancellationToken ct)
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
            try
            {
                CommitOnce(batch);
            }
            catch (Exception e) when (isTransient(e))
            {
                // Another process's transaction took the same locks in another order (two people's writes in each batch,
                // one person's next message in the other). Run in the same batch again, the two meet again; one piece of
                // work per transaction holds too little to close such a cycle.
                Interlocked.Increment(ref _retries);
                foreach (var item in batch)
                {
                    CommitAlone(item);
                }
            }
            catch (Exception e)
            {
                foreach (var item in batch)
                {
                    item.Fail(e);
                }
            }
        }
    }

    /// <summary>One piece of work in a transaction of its own, run again a few times while it deadlocks with another process.</summary>
    private void CommitAlone(Work item)
    {
        List<Work> alone = [item];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                CommitOnce(alone);
                return;
            }
            catch (Exception e) when (attempt < MaxAttempts && isTransient(e))
            {
                // A short, growing, jittered pause keeps the two from meeting again in step.
                Interlocked.Increment(ref _retries);
                Thread.Sleep(Random.Shared.Next(5, 25) * attempt);
            }
            catch (Exception e)
            {
                item.Fail(e);
                return;
            }
        }
    }

    /// <summary>Runs the batch in one transaction and, once it is committed, completes every caller.</summary>
    private void CommitOnce(List<Work> batch)
    {
        DbTransaction? tx = null;
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _connection ??= open();
            tx = _connection.BeginTransaction();
            var marked = new HashSet<WriteMark>();
            foreach (var item in batch)
            {
                RunInSavepoint(_connection, tx, item, marked);
            }

            tx.Commit();
        }
        catch
        {
            // Whatever state the failure left behind goes with the connection; the next attempt opens a new one.
            try
            {
                tx?.Dispose();
            }
            catch (DbException)
            {
                // The database already rolled the transaction back.
            }

            _connection?.Dispose();
            _connection = null;
            throw;
        }

        tx.Dispose();
        Interlocked.Increment(ref _commits);
        foreach (var item in batch)
        {
            item.Complete();
        }
    }

    /// <summary>
    /// Runs one caller's work; work that throws is rolled back to its savepoint and fails alone, once the batch commits.
    /// So is work whose event another process (or another copy of it here) marked handled first: its mark is
    /// conditional, and an event's work is committed once, by whoever marks it. <paramref name="marked"/> holds the
    /// marks this transaction wrote. A deadlock or serialization failure is not the work's own fault: it rolls back the
    /// whole batch, to run again.
    /// </summary>
    private void RunInSavepoint(DbConnection db, DbTransaction tx, Work item, HashSet<WriteMark> marked)
    {
        Savepoint(db, tx, "SAVEPOINT work", static t => t.Save("work"));
        try
        {
            item.Run(db, tx);
            if (item.Mark is { } mark && mark.Write(db, tx) == 0 && !mark.IsCommitted && !marked.Contains(mark))
            {
                throw new EventAlreadyHandledException();
            }

            Savepoint(db, tx, "RELEASE work", static t => t.Release("work"));
            if (item.Mark is { } written)
            {
                marked.Add(written);
            }
        }
        catch (Exception e) when (!isTransient(e))
        {
            // When the savepoint is gone, the database rolled back the whole transaction (disk full, I/O error, a lost
            // connection): the batch then fails with this work's exception.
            if (!TryRollBackTo(db, tx))
            {
                throw;
            }

            item.Failed(e);
        }
    }

    private static bool TryRollBackTo(DbConnection db, DbTransaction tx)
    {
        try
        {
            Savepoint(db, tx, "ROLLBACK TO work", static t => t.Rollback("work"));
            Savepoint(db, tx, "RELEASE work", static t => t.Release("work"));
            return true;
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// A savepoint statement: on SQLite through the writer's kept statements (SqliteTransaction's own calls compile their
    /// SQL every time, twice for every piece of work), elsewhere by the transaction.
    /// </summary>
    private static void Savepoint(DbConnection db, DbTransaction tx, string sql, Action<DbTransaction> byTransaction)
    {
        if (db is PreparedStatements prepared)
        {
            // Straight to SQLite: through Dapper each piece of work paid a command, its parameter collection and
            // Dapper's cache lookup twice for a statement without parameters, and through a kept command a data reader.
            prepared.ExecuteBare(sql);
        }
        else
        {
            byTransaction(tx);
        }
    }

    private abstract class Work(WriteMark? mark, CancellationToken ct)
    {
        public WriteMark? Mark { get; } = mark;

        protected CancellationToken Ct { get; } = ct;

        /// <summary>True when the caller gave up before the work started; its task is then cancelled.</summary>
        public abstract bool TryCancel();

        /// <summary>Runs the work (again, when its batch is retried: whatever an earlier run left is forgotten).</summary>
        public abstract void Run(DbConnection db, DbTransaction tx);

        /// <summary>The work itself threw and was undone; its caller is told once the batch commits.</summary>
        public abstract void Failed(Exception e);

        /// <summary>The transaction committed: the work's result, unless the work itself failed.</summary>
        public abstract void Complete();

        /// <summary>The batch failed as a whole.</summary>
        public abstract void Fail(Exception e);
    }

    private sealed class Work<T>(Func<DbConnection, DbTransaction, T> work, WriteMark? mark, CancellationToken ct) : Work(mark, ct)
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private bool _ran;
        private Exception? _error;

        public Task<T> Task => _done.Task;

        public override bool TryCancel() => Ct.IsCancellationRequested && _done.TrySetCanceled(Ct);

        public override void Run(DbConnection db, DbTransaction tx)
        {
            _ran = false;
            _error = null;
            _result = work(db, tx);
            _ran = true;
        }

        public override void Failed(Exception e) => _error = e;

        public override void Complete()
        {
            if (_error is not null)
            {
                _done.TrySetException(_error);
            }
            else if (_ran && !_done.Task.IsCompleted)
            {
                // The mark first: the caller may resume on another thread at once, and must then see its event marked.
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
    private readonly Func<DbConnection, DbTransaction, int> _write;
    private readonly Action? _firstCommit;
    private volatile bool _committed;

    private WriteMark(Func<DbConnection, DbTransaction, int> write, Action? firstCommit)
    {
        _write = write;
        _firstCommit = firstCommit;
    }

    internal static WriteMark? Current => Ambient.Value;

    /// <summary>True once a write carrying this mark has committed: the event is marked handled.</summary>
    public bool IsCommitted => _committed;

    /// <summary>
    /// Makes this mark ride on every write of the current flow until the returned scope is disposed.
    /// <paramref name="firstCommit"/> runs on the writer once the first of them is durable, before its caller resumes
    /// (a test fault's kill: <see cref="StorageOptions.TestFaultKillAfterEventCommit"/>).
    /// </summary>
    internal static Scope Begin(Func<DbConnection, DbTransaction, int> write, Action? firstCommit = null)
    {
        var mark = new WriteMark(write, firstCommit);
        var previous = Ambient.Value;
        Ambient.Value = mark;
        return new Scope(mark, previous);
    }

    /// <summary>Writes the mark; the rows it changed, 0 when the event was marked handled already.</summary>
    internal int Write(DbConnection db, DbTransaction tx) => _write(db, tx);

    internal void Committed()
    {
        if (!_committed)
        {
            _committed = true;
            _firstCommit?.Invoke();
        }
    }

    internal readonly struct Scope(WriteMark mark, WriteMark? previous) : IDisposable
    {
        public WriteMark Mark => mark;

        public void Dispose() => Ambient.Value = previous;
    }
}
