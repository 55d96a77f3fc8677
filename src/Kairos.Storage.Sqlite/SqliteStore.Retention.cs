using Kairos.Model;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// Retention deletes for the pruner: bounded batches, oldest first, each one write of the single
/// writer, so a batch is one short transaction and enqueues and claims go on between batches.
/// Runs and journal entries have no index by age (it would cost every write on the hot path):
/// their primary key grows with their time, so a binary search on it finds where "older than"
/// ends, and the delete walks the key up to there.
/// </summary>
internal sealed partial class SqliteStore
{
    public Task<int> DeleteFinishedRunsAsync(RunState state, DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken)
    {
        // The logs first, then the runs, chosen by the same query: one writer and one transaction, so
        // both statements see the same rows.
        // A run finished before the cut-off was created before it too: only runs below the first id
        // created at or after it need looking at.
        const string Doomed = "SELECT id FROM runs WHERE id < @boundary AND state = @state AND finished_at < @before ORDER BY id LIMIT @limit";
        var finished = state.FinishedToWire(); // Throws here, before the writer, for queued and running.
        return Write(scope =>
        {
            var boundary = FirstKeyAtOrAfter(scope, "SELECT created_at FROM runs WHERE id >= @key ORDER BY id LIMIT 1", "SELECT MIN(id), MAX(id) FROM runs", finishedBefore);
            (string, object?)[] parameters = [("@boundary", boundary), ("@state", finished), ("@before", Ms(finishedBefore)), ("@limit", limit)];
            scope.Execute($"DELETE FROM run_logs WHERE run_id IN ({Doomed})", parameters);
            scope.Execute($"DELETE FROM workflow_steps WHERE run_id IN ({Doomed})", parameters);
            scope.Execute($"DELETE FROM workflow_runs WHERE run_id IN ({Doomed})", parameters);
            return scope.Execute($"DELETE FROM runs WHERE id IN ({Doomed})", parameters);
        });
    }

    public Task<int> DeleteEventsAsync(DateTimeOffset publishedBefore, int limit, CancellationToken cancellationToken) =>
        Write(scope => scope.Execute(
            """
            DELETE FROM events WHERE id IN (
                SELECT e.id FROM events e INDEXED BY ix_events_published
                WHERE e.published_at < @before AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.event_id = e.id)
                ORDER BY e.published_at LIMIT @limit)
            """,
            ("@before", Ms(publishedBefore)), ("@limit", limit)));

    public Task<int> DeleteJournalAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            // The flag lets this transaction past the journal's append-only trigger; it is gone again at commit.
            scope.Execute("INSERT INTO journal_pruning (flag) VALUES (1)");
            var boundary = FirstKeyAtOrAfter(scope, "SELECT at FROM journal WHERE seq >= @key ORDER BY seq LIMIT 1", "SELECT MIN(seq), MAX(seq) FROM journal", before);
            var deleted = scope.Execute(
                """
                DELETE FROM journal WHERE seq IN (
                    SELECT j.seq FROM journal j
                    WHERE j.seq < @boundary AND j.at < @before AND j.seq < (SELECT MAX(seq) FROM journal)
                      AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = j.run_id AND r.finished_at IS NULL)
                    ORDER BY j.seq LIMIT @limit)
                """,
                ("@boundary", boundary), ("@before", Ms(before)), ("@limit", limit));
            scope.Execute("DELETE FROM journal_pruning");
            return deleted;
        });

    public Task<int> DeleteWebhookDeliveriesAsync(string hook, DateTimeOffset receivedBefore, int limit, CancellationToken cancellationToken) =>
        Write(scope => scope.Execute(
            """
            DELETE FROM webhook_deliveries WHERE rowid IN (
                SELECT rowid FROM webhook_deliveries INDEXED BY ix_webhook_deliveries_received
                WHERE hook = @hook AND received_at < @before LIMIT @limit)
            """,
            ("@hook", hook), ("@before", Ms(receivedBefore)), ("@limit", limit)));

    /// <summary>
    /// The first key whose time is at or after <paramref name="cutOff"/> (past the last key when none
    /// is), by binary search over the primary key, whose times grow with it; a few lookups by key.
    /// </summary>
    /// <param name="timeAt">Selects the time of the first row at or after @key.</param>
    /// <param name="range">Selects the smallest and the largest key.</param>
    private static long FirstKeyAtOrAfter(SqliteWriteScope scope, string timeAt, string range, DateTimeOffset cutOff)
    {
        var (low, high) = scope.Query(range, r => (r.IsNull(0) ? 0 : r.Int64(0), r.IsNull(1) ? -1 : r.Int64(1)))[0];
        high++; // Past the last key: every row is older.
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (scope.Scalar(timeAt, ("@key", middle)) is long time && time >= Ms(cutOff))
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }
        return low;
    }
}
