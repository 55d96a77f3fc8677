using Kairos.Model;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// Retention deletes for the pruner: bounded batches, oldest first, each one write of the single
/// writer, so a batch is one short transaction and enqueues and claims go on between batches.
/// INDEXED BY names the index each delete walks (migration 7): a plan that scanned the table instead
/// would fail here rather than slow every pass down.
/// </summary>
internal sealed partial class SqliteStore
{
    public Task<int> DeleteFinishedRunsAsync(RunState state, DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken)
    {
        // The logs first, then the runs, chosen by the same query: one writer and one transaction, so
        // both statements see the same rows.
        const string Doomed = "SELECT id FROM runs INDEXED BY ix_runs_finished WHERE state = @state AND finished_at < @before ORDER BY finished_at, id LIMIT @limit";
        var finished = state.FinishedToWire(); // Throws here, before the writer, for queued and running.
        return Write(scope =>
        {
            (string, object?)[] parameters = [("@state", finished), ("@before", Ms(finishedBefore)), ("@limit", limit)];
            scope.Execute($"DELETE FROM run_logs WHERE run_id IN ({Doomed})", parameters);
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
            var deleted = scope.Execute(
                """
                DELETE FROM journal WHERE seq IN (
                    SELECT j.seq FROM journal j INDEXED BY ix_journal_at
                    WHERE j.at < @before AND j.seq < (SELECT MAX(seq) FROM journal)
                      AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = j.run_id AND r.finished_at IS NULL)
                    ORDER BY j.at LIMIT @limit)
                """,
                ("@before", Ms(before)), ("@limit", limit));
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
}
