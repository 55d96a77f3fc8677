using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// Checkpoints the WAL in the background, so the writer never waits for one. SQLite's automatic
/// checkpoint runs inside the commit that crosses 1000 WAL pages and syncs the database file there:
/// under load that stalled one commit in forty for about 10 ms. The writer turns it off and reports
/// each commit here; a PASSIVE checkpoint (it never blocks the writer or readers) then runs on a
/// connection and a thread of its own (the sync blocks), at most every <see cref="MinInterval"/>,
/// and not at all while nothing is written.
/// <para>
/// A PASSIVE checkpoint copies the frames committed before it started, but under steady writes new
/// frames keep arriving, so the WAL is never wholly copied and SQLite never starts it again from the
/// top. The writer therefore truncates the WAL itself once the file passes a size
/// (<see cref="SqliteWriter"/>); that is quick, since these checkpoints have copied nearly all of it.
/// </para>
/// </summary>
internal sealed class SqliteCheckpointer : IDisposable
{
    // Rare enough that a page written again and again (an index's hot page) is copied once per
    // interval rather than once per commit; under load the copying competed for the two cores.
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    private readonly object _checkpointing = new(); // Two checkpoints at once: the second would give up (SQLITE_BUSY).
    private readonly AutoResetEvent _committed = new(false);
    private readonly ManualResetEventSlim _stopping = new(false);
    private readonly string _connectionString;
    private readonly Thread _thread;

    public SqliteCheckpointer(string connectionString)
    {
        _connectionString = connectionString;
        _thread = new Thread(Run) { IsBackground = true, Name = "Kairos SQLite checkpointer" };
        _thread.Start();
    }

    /// <summary>Called by the writer after each commit; never blocks.</summary>
    public void Committed() => _committed.Set();

    /// <summary>
    /// Runs another checkpoint (the writer's truncation) unless a passive checkpoint is running now:
    /// two at once, the second would be refused as busy, and the writer must not wait for one.
    /// False when it did not run (the caller tries again after its next batch).
    /// </summary>
    public bool TryRunExclusive(Action checkpoint)
    {
        if (!Monitor.TryEnter(_checkpointing))
        {
            return false;
        }
        try
        {
            checkpoint();
            return true;
        }
        finally
        {
            Monitor.Exit(_checkpointing);
        }
    }

    private void Run()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        SqlitePragmas.ApplyToReader(connection);
        using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        while (WaitHandle.WaitAny([_committed, _stopping.WaitHandle]) == 0)
        {
            try
            {
                lock (_checkpointing)
                {
                    checkpoint.ExecuteNonQuery();
                }
            }
            catch (SqliteException)
            {
                // A checkpoint that cannot run now (e.g. the file is locked by another process) runs after the next commit.
            }
            if (_stopping.Wait(MinInterval))
            {
                return;
            }
        }
        // Closing: the last connection to close checkpoints what is left.
    }

    public void Dispose()
    {
        _stopping.Set();
        _thread.Join();
        _committed.Dispose();
        _stopping.Dispose();
    }
}
