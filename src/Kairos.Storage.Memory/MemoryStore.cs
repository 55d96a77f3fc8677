namespace Kairos.Storage.Memory;

/// <summary>
/// A store in the process's memory, for fast tests of the rules in Core: the same contract and the
/// same answers as the SQL stores (the conformance suite runs on all three), nothing written to disk,
/// gone when the process ends. One process is the whole cluster: nobody else writes to it.
/// <para>
/// Transactions are copy-on-write: the committed state is one immutable <see cref="MemoryState"/>;
/// a write, one at a time under a lock, derives a new state and publishes it only when it returns,
/// so a write that throws leaves no trace (there is nothing to undo) and a reader, taking whichever
/// state is published, sees only committed writes and never waits. Like SQLite's single writer, a
/// write runs to its end on the caller's thread: a rule must not await anything but the driver.
/// </para>
/// <para>
/// Queries scan rather than use indexes: sized for tests, not for a production queue.
/// Times are kept to the millisecond, as the SQL stores keep them.
/// </para>
/// </summary>
internal sealed partial class MemoryStore : IKairosStore
{
    private readonly string _node;
    private readonly Lock _writer = new();
    private volatile MemoryState _state = MemoryState.Empty;

    /// <param name="node">This process's node id, recorded in the journal.</param>
    public MemoryStore(string node)
    {
        _node = node;
    }

    /// <summary>There is no schema: the store is ready as soon as it exists.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs <paramref name="work"/> as the only writer and commits what it built; an exception commits nothing and faults the task.</summary>
    private Task<T> Write<T>(Func<Transaction, T> work)
    {
        lock (_writer)
        {
            var transaction = new Transaction(_node, _state);
            try
            {
                var result = work(transaction);
                _state = transaction.State;
                return Task.FromResult(result);
            }
            catch (Exception ex)
            {
                return Task.FromException<T>(ex);
            }
        }
    }

    /// <summary>Answers a read from the committed state, as a task like the SQL stores' reads.</summary>
    private Task<T> Read<T>(Func<MemoryState, T> query, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }
        try
        {
            return Task.FromResult(query(_state));
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }

    /// <summary>A time as a SQL store gives it back: whole milliseconds, UTC.</summary>
    private static DateTimeOffset Stored(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    private static DateTimeOffset? Stored(DateTimeOffset? time) => time is { } t ? Stored(t) : null;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
