using Kairos.Storage.Drivers;

namespace Kairos.Storage.Sqlite;

/// <summary>Flow control's primitives (the rules are in src/Kairos.Core/Engine/Flow).</summary>
internal sealed partial class SqliteStore
{
    public Task<int> DeleteFlowStateAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        Write(scope => scope.Execute(
            """
            DELETE FROM flow_state WHERE key IN (
                SELECT f.key FROM flow_state f INDEXED BY ix_flow_state_at
                WHERE f.at < @before AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = f.run_id AND r.state IN ('queued', 'running'))
                ORDER BY f.at LIMIT @limit)
            """,
            ("@before", Ms(before)), ("@limit", limit)));

    private sealed partial class Transaction
    {
        public ValueTask<IReadOnlyList<string>> ListRunningFlowKeysAsync() =>
            ValueTask.FromResult<IReadOnlyList<string>>(scope.Query(
                "SELECT flow_keys FROM runs INDEXED BY ix_runs_leases WHERE state = 'running' AND flow_keys IS NOT NULL", r => r.Text(0)));

        public ValueTask<bool> UpdateQueuedRunAsync(long runId, string? payload, DateTimeOffset dueAt) =>
            ValueTask.FromResult(scope.Execute("UPDATE runs SET payload = @payload, due_at = @due WHERE id = @id AND state = 'queued'",
                ("@payload", payload), ("@due", Ms(dueAt)), ("@id", runId)) == 1);

        public ValueTask<FlowState?> GetFlowStateAsync(string key) =>
            ValueTask.FromResult(scope.Query("SELECT at, run_id FROM flow_state WHERE key = @key",
                r => new FlowState(Time(r.Int64(0)), SqliteRows.Int64OrNull(r, 1)), ("@key", key)).FirstOrDefault());

        public ValueTask SetFlowStateAsync(string key, FlowState state)
        {
            scope.Execute(
                "INSERT INTO flow_state (key, at, run_id) VALUES (@key, @at, @run) ON CONFLICT (key) DO UPDATE SET at = excluded.at, run_id = excluded.run_id",
                ("@key", key), ("@at", Ms(state.At)), ("@run", state.RunId));
            return ValueTask.CompletedTask;
        }
    }
}
