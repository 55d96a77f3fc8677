using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// The single writer of a SQLite database, with group commit. SQLite allows one writer at a time, so
/// instead of letting callers contend for the write lock, every write is queued here and a batch of
/// queued writes shares one transaction (one fsync). A failing write is rolled back alone and the
/// others in the batch still commit. A write's task completes only after its batch has committed.
/// The writer has a thread of its own: SQLite calls block, and a thread-pool thread held by them
/// through a burst of writes would starve the handlers and continuations that share the pool.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    // Small enough that an urgent write (a claim) waits little for the batch in progress, large
    // enough that a burst shares few commits.
    private const int MaxBatch = 64;

    /// <summary>The WAL file size past which the writer empties it (see <see cref="TruncateWal"/>).</summary>
    public const long WalTruncateBytes = 64 * 1024 * 1024;

    private readonly ConcurrentQueue<WriteOperation> _queue = new();
    private readonly ConcurrentQueue<WriteOperation> _urgent = new();
    private readonly object _gate = new(); // The monitor of the writer's sleep and wake-up, not a lock on the queue.
    private volatile bool _closed;
    private volatile bool _exited; // The writer thread takes no more writes; whoever finds one queued fails it.
    private int _sleeping; // 1 while the writer waits on _gate; the producer that turns it to 0 wakes it.
    private readonly SqliteConnection _connection;
    private readonly SqliteWriteScope _scope;
    private readonly SqliteCheckpointer _checkpointer;
    private readonly FileInfo _wal;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SqliteWriter(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        SqlitePragmas.ApplyToWriter(_connection);
        _scope = new SqliteWriteScope(_connection);
        _checkpointer = new SqliteCheckpointer(connectionString);
        _wal = new FileInfo(_connection.DataSource + "-wal");
        new Thread(Run) { IsBackground = true, Name = "Kairos SQLite writer" }.Start();
    }

    /// <param name="urgent">
    /// Goes ahead of the writes already queued, in a batch of urgent writes only (the dispatcher's
    /// claims: due runs should not wait for a batch of completions). Order between writes carries
    /// no meaning: each is atomic and acknowledged after its own commit.
    /// </param>
    public Task<T> WriteAsync<T>(Func<SqliteWriteScope, T> work, bool urgent = false)
    {
        if (_closed)
        {
            throw new ObjectDisposedException(nameof(SqliteWriter), "the Kairos store is closed");
        }
        var operation = new WriteOperation<T>(work);
        (urgent ? _urgent : _queue).Enqueue(operation);
        // The enqueue is visible before _sleeping and _exited are read (the exchange is a full
        // fence; TakeBatch and Run do the reverse). Only the first producer to find the writer
        // asleep takes the monitor.
        if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1)
        {
            lock (_gate)
            {
                Monitor.Pulse(_gate);
            }
        }
        if (_exited)
        {
            FailQueued(); // Raced with the close: the writer may have looked at the queue for the last time.
        }
        return operation.Task;
    }

    /// <summary>
    /// Takes up to <see cref="MaxBatch"/> queued writes, sleeping while there are none; false once
    /// closed and drained. Producers do not lock (a lock they shared with this thread was contended
    /// in bursts), and the sleep does not spin (a spinning writer took ~6% of both cores from the
    /// threads producing its next writes).
    /// </summary>
    private bool TakeBatch(List<WriteOperation> batch)
    {
        if (_queue.IsEmpty && _urgent.IsEmpty)
        {
            lock (_gate)
            {
                while (true)
                {
                    Interlocked.Exchange(ref _sleeping, 1); // Visible before the queue is read again (a full fence).
                    if (!_queue.IsEmpty || !_urgent.IsEmpty || _closed)
                    {
                        break;
                    }
                    Monitor.Wait(_gate);
                }
                Volatile.Write(ref _sleeping, 0);
            }
        }
        var from = _urgent.IsEmpty ? _queue : _urgent;
        while (batch.Count < MaxBatch && from.TryDequeue(out var operation))
        {
            batch.Add(operation);
        }
        return batch.Count > 0;
    }

    private void Run()
    {
        try
        {
            var batch = new List<WriteOperation>(MaxBatch);
            while (TakeBatch(batch))
            {
                CommitBatch(batch);
                batch.Clear();
                if (WalLength() > WalTruncateBytes)
                {
                    TruncateWal();
                }
            }
        }
        finally
        {
            _exited = true;
            Interlocked.MemoryBarrier(); // _exited is visible before the queues are read.
            FailQueued();
            _stopped.TrySetResult();
        }
    }

    private void FailQueued()
    {
        foreach (var queue in (ConcurrentQueue<WriteOperation>[])[_urgent, _queue])
        {
            while (queue.TryDequeue(out var operation))
            {
                operation.Fail(new ObjectDisposedException(nameof(SqliteWriter), "the Kairos store is closed"));
            }
        }
    }

    private void CommitBatch(List<WriteOperation> batch)
    {
        try
        {
            if (!TryRunTogether(batch))
            {
                RunIsolated(batch);
            }
        }
        catch (Exception ex)
        {
            TryRollback();
            foreach (var operation in batch)
            {
                operation.Fail(new KairosStoreException($"writing to the SQLite database failed: {ex.Message}", ex));
            }
            return;
        }
        _checkpointer.Committed();
        foreach (var operation in batch)
        {
            operation.Publish();
        }
    }

    /// <summary>
    /// The usual case: every write of the batch in one transaction with no savepoints, which would
    /// cost two extra statements per write. Writes only touch the database, so when one throws, the
    /// whole transaction is rolled back and the batch is run again by <see cref="RunIsolated"/>.
    /// </summary>
    private bool TryRunTogether(List<WriteOperation> batch)
    {
        _scope.Execute("BEGIN IMMEDIATE");
        foreach (var operation in batch)
        {
            try
            {
                operation.Run(_scope);
            }
            catch (Exception)
            {
                TryRollback();
                return false;
            }
        }
        _scope.Execute("COMMIT");
        return true;
    }

    /// <summary>Each write in its own savepoint: a failing write is rolled back alone and fails alone.</summary>
    private void RunIsolated(List<WriteOperation> batch)
    {
        _scope.Execute("BEGIN IMMEDIATE");
        foreach (var operation in batch)
        {
            _scope.Execute("SAVEPOINT op");
            try
            {
                operation.Run(_scope);
                _scope.Execute("RELEASE op");
            }
            catch (Exception ex)
            {
                _scope.Execute("ROLLBACK TO op");
                _scope.Execute("RELEASE op");
                operation.Fail(ex);
            }
        }
        _scope.Execute("COMMIT");
    }

    private long WalLength()
    {
        _wal.Refresh();
        return _wal.Exists ? _wal.Length : 0;
    }

    /// <summary>
    /// Copies what is left of the WAL into the database and empties it, so the next commit writes it
    /// from the start: under steady writes SQLite never restarts it by itself (see
    /// <see cref="SqliteCheckpointer"/>), and the file grew by hundreds of megabytes. Runs on the writer's connection between
    /// batches: no write of ours is in progress, and readers are waited for by the busy timeout.
    /// </summary>
    private void TruncateWal()
    {
        try
        {
            _checkpointer.TryRunExclusive(() => _scope.Execute("PRAGMA wal_checkpoint(TRUNCATE)"));
        }
        catch (SqliteException)
        {
            // Another process holds the database: the next request tries again.
        }
    }

    private void TryRollback()
    {
        try
        {
            _scope.Execute("ROLLBACK");
        }
        catch (SqliteException)
        {
            // No transaction was open: nothing to undo.
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.Pulse(_gate);
        }
        await _stopped.Task.ConfigureAwait(false);
        _checkpointer.Dispose();
        _scope.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private abstract class WriteOperation
    {
        public abstract void Run(SqliteWriteScope scope);
        public abstract void Fail(Exception ex);
        public abstract void Publish();
    }

    private sealed class WriteOperation<T>(Func<SqliteWriteScope, T> work) : WriteOperation
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private bool _failed;

        public Task<T> Task => _completion.Task;

        public override void Run(SqliteWriteScope scope) => _result = work(scope);

        public override void Fail(Exception ex)
        {
            if (!_failed)
            {
                _failed = true;
                _completion.TrySetException(ex);
            }
        }

        public override void Publish()
        {
            if (!_failed)
            {
                _completion.TrySetResult(_result!);
            }
        }
    }
}
