using Kairos.Model;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Retention deletes for the pruner: bounded batches, oldest first, one short transaction each.
/// Rows are chosen FOR UPDATE SKIP LOCKED, so a run being retried or an event being cancelled at
/// that moment is left for the next pass instead of waited for, and a row whose state changed
/// meanwhile is checked again before it is deleted.
/// </summary>
internal sealed partial class PostgresStore
{
    public Task<int> DeleteFinishedRunsAsync(RunState state, DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken)
    {
        var finished = state.FinishedToWire(); // Throws here, before a transaction, for queued and running.
        return Write(scope => scope.Execute(
            """
            WITH doomed AS (
                SELECT id FROM runs WHERE state = @state AND finished_at < @before
                ORDER BY finished_at, id LIMIT @limit FOR UPDATE SKIP LOCKED),
            logs AS (DELETE FROM run_logs WHERE run_id IN (SELECT id FROM doomed)),
            steps AS (DELETE FROM workflow_steps WHERE run_id IN (SELECT id FROM doomed)),
            workflows AS (DELETE FROM workflow_runs WHERE run_id IN (SELECT id FROM doomed))
            DELETE FROM runs WHERE id IN (SELECT id FROM doomed)
            """,
            ("state", finished), ("before", Ms(finishedBefore)), ("limit", limit)), cancellationToken);
    }

    public Task<int> DeleteEventsAsync(DateTimeOffset publishedBefore, int limit, CancellationToken cancellationToken) =>
        Write(scope => scope.Execute(
            """
            DELETE FROM events WHERE id IN (
                SELECT e.id FROM events e
                WHERE e.published_at < @before AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.event_id = e.id)
                ORDER BY e.published_at LIMIT @limit FOR UPDATE SKIP LOCKED)
            """,
            ("before", Ms(publishedBefore)), ("limit", limit)), cancellationToken);

    public Task<int> DeleteJournalAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            // Lets this transaction (and only it: is_local) past the journal's append-only trigger.
            await scope.Execute("SELECT set_config('kairos.pruning_journal', 'on', true)");
            return await scope.Execute(
                """
                DELETE FROM journal WHERE seq IN (
                    SELECT j.seq FROM journal j
                    WHERE j.at < @before AND j.seq < (SELECT MAX(seq) FROM journal)
                      AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = j.run_id AND r.finished_at IS NULL)
                    ORDER BY j.at LIMIT @limit)
                """,
                ("before", Ms(before)), ("limit", limit));
        }, cancellationToken);

    public Task<int> DeleteWebhookDeliveriesAsync(string hook, DateTimeOffset receivedBefore, int limit, CancellationToken cancellationToken) =>
        Write(scope => scope.Execute(
            """
            DELETE FROM webhook_deliveries WHERE (hook, delivery_id) IN (
                SELECT hook, delivery_id FROM webhook_deliveries
                WHERE hook = @hook AND received_at < @before LIMIT @limit)
            """,
            ("hook", hook), ("before", Ms(receivedBefore)), ("limit", limit)), cancellationToken);
}
