using Kairos.Storage.Drivers;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Flow control's primitives (the rules are in src/Kairos.Core/Engine/Flow). The enqueue-time
/// rules read and write flow_state after locking the job's row, so nodes take turns per job; the
/// running runs' concurrency keys are read under the claim's limits lock.
/// </summary>
internal sealed partial class PostgresStore
{
    public Task<int> DeleteFlowStateAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        Write(scope => scope.Execute(
            """
            DELETE FROM flow_state WHERE key IN (
                SELECT f.key FROM flow_state f
                WHERE f.at < @before AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = f.run_id AND r.state IN ('queued', 'running'))
                ORDER BY f.at LIMIT @limit FOR UPDATE SKIP LOCKED)
            """,
            ("before", Ms(before)), ("limit", limit)), cancellationToken);

    private sealed partial class Transaction
    {
        public async ValueTask<IReadOnlyList<string>> ListRunningFlowKeysAsync() =>
            await scope.Query("SELECT flow_keys FROM runs WHERE state = 'running' AND flow_keys IS NOT NULL", r => r.GetString(0)).ConfigureAwait(false);

        /// <remarks>A run a claim holds is waited for, then found running: the rule makes a new one.</remarks>
        public async ValueTask<bool> UpdateQueuedRunAsync(long runId, string? payload, DateTimeOffset dueAt) =>
            await scope.Execute("UPDATE runs SET payload = @payload::text, due_at = @due WHERE id = @id AND state = 'queued'",
                ("payload", payload), ("due", Ms(dueAt)), ("id", runId)).ConfigureAwait(false) == 1;

        public async ValueTask<FlowState?> GetFlowStateAsync(string key) =>
            (await scope.Query("SELECT at, run_id FROM flow_state WHERE key = @key",
                r => new FlowState(Time(r.GetInt64(0)), PostgresRows.Long(r, 1)), ("key", key)).ConfigureAwait(false)).FirstOrDefault();

        public async ValueTask SetFlowStateAsync(string key, FlowState state) =>
            await scope.Execute(
                "INSERT INTO flow_state (key, at, run_id) VALUES (@key, @at, @run::bigint) ON CONFLICT (key) DO UPDATE SET at = excluded.at, run_id = excluded.run_id",
                ("key", key), ("at", Ms(state.At)), ("run", state.RunId)).ConfigureAwait(false);
    }
}
