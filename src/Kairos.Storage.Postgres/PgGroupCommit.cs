namespace Kairos.Storage.Postgres;

/// <summary>
/// Group commit for one kind of write: calls that arrive while a batch is being written wait and
/// go together in the next batch, written by <c>writeBatch</c> in one transaction with set-based
/// SQL. A lone call is written at once, so there is no added latency when the store is quiet.
/// <para>
/// If a batch fails, each of its items is written again on its own by <c>writeOne</c> (the plain
/// one-transaction path), so one bad item fails only its own caller, with its own error.
/// </para>
/// </summary>
internal sealed class PgGroupCommit<TItem, TResult>(
    Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> writeBatch,
    Func<TItem, Task<TResult>> writeOne,
    int maxBatch)
{
    private readonly object _gate = new();
    private List<(TItem Item, TaskCompletionSource<TResult> Done)> _pending = [];
    private bool _writing;

    public Task<TResult> WriteAsync(TItem item)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _pending.Add((item, done));
            start = !_writing;
            _writing = true;
        }
        if (start)
        {
            _ = Task.Run(WritePendingAsync);
        }
        return done.Task;
    }

    private async Task WritePendingAsync()
    {
        while (true)
        {
            List<(TItem Item, TaskCompletionSource<TResult> Done)> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _writing = false;
                    return;
                }
                if (_pending.Count <= maxBatch)
                {
                    batch = _pending;
                    _pending = [];
                }
                else
                {
                    batch = _pending[..maxBatch];
                    _pending.RemoveRange(0, maxBatch);
                }
            }
            await WriteAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(List<(TItem Item, TaskCompletionSource<TResult> Done)> batch)
    {
        if (batch.Count > 1)
        {
            try
            {
                var results = await writeBatch(batch.Select(b => b.Item).ToList()).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.SetResult(results[i]);
                }
                return;
            }
            catch (Exception)
            {
                // Rolled back as a whole: write each on its own below, so each caller gets its own outcome.
            }
        }
        await Task.WhenAll(batch.Select(async b =>
        {
            try
            {
                b.Done.SetResult(await writeOne(b.Item).ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                b.Done.SetException(ex);
            }
        })).ConfigureAwait(false);
    }
}
