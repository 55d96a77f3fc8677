using Kairos.Events;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Sqlite;

/// <summary>The primitives of waitForEvent steps' waits (the rules are in src/Kairos.Core/Workflows/EventWaits.cs).</summary>
internal sealed partial class SqliteStore
{
    private const string EventWaitColumns = "run_id, workflow_run_id, namespace, type, match, match_values, since, deadline, event_id, data";

    private static EventWaitRow EventWait(SqliteStatement r) =>
        new(r.Int64(0), r.Int64(1), r.Text(2), r.Text(3), Time(r.Int64(6)), Time(r.Int64(7)))
        {
            Match = TextOrNull(r, 4),
            Values = TextOrNull(r, 5),
            EventId = SqliteRows.Int64OrNull(r, 8),
            Data = TextOrNull(r, 9),
        };

    private static string? TextOrNull(SqliteStatement r, int column) => r.IsNull(column) ? null : r.Text(column);

    private sealed partial class Transaction
    {
        // One writer: a publish and a look-back never overlap.
        public ValueTask LockEventWaitsAsync(bool exclusive) => ValueTask.CompletedTask;

        public ValueTask InsertEventWaitAsync(EventWaitRow wait)
        {
            scope.Execute(
                $"INSERT INTO workflow_waits ({EventWaitColumns}) VALUES (@run, @workflow, @ns, @type, @match, @values, @since, @deadline, @event, @data)",
                ("@run", wait.RunId), ("@workflow", wait.WorkflowRunId), ("@ns", wait.Namespace), ("@type", wait.Type), ("@match", wait.Match),
                ("@values", wait.Values), ("@since", Ms(wait.Since)), ("@deadline", Ms(wait.Deadline)), ("@event", wait.EventId), ("@data", wait.Data));
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<EventWaitRow>> ListOpenEventWaitsAsync(string ns) =>
            ValueTask.FromResult<IReadOnlyList<EventWaitRow>>(scope.Query(
                $"SELECT {EventWaitColumns} FROM workflow_waits WHERE namespace = @ns AND event_id IS NULL ORDER BY run_id", EventWait, ("@ns", ns)));

        public ValueTask<EventWaitRow?> GetEventWaitForUpdateAsync(long runId) =>
            ValueTask.FromResult(scope.Query($"SELECT {EventWaitColumns} FROM workflow_waits WHERE run_id = @run", EventWait, ("@run", runId)).FirstOrDefault());

        public ValueTask<bool> TakeEventAsync(long runId, long eventId, string? data) =>
            ValueTask.FromResult(scope.Execute("UPDATE workflow_waits SET event_id = @event, data = @data WHERE run_id = @run AND event_id IS NULL",
                ("@event", eventId), ("@data", data), ("@run", runId)) == 1);

        public ValueTask MoveEventWaitAsync(long runId, long newRunId)
        {
            scope.Execute("UPDATE workflow_waits SET run_id = @new WHERE run_id = @run", ("@new", newRunId), ("@run", runId));
            return ValueTask.CompletedTask;
        }

        public ValueTask DeleteEventWaitAsync(long runId)
        {
            scope.Execute("DELETE FROM workflow_waits WHERE run_id = @run", ("@run", runId));
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<(long Id, EventRequest Request)>> ListEventsSinceAsync(DateTimeOffset since, long afterId, int limit) =>
            ValueTask.FromResult<IReadOnlyList<(long, EventRequest)>>(scope.Query(
                "SELECT id, type, source, data, priority FROM events WHERE published_at >= @since AND id > @after ORDER BY id LIMIT @limit",
                r => (r.Int64(0), new EventRequest(r.Text(1), r.Text(2)) { Data = TextOrNull(r, 3), Priority = (int)r.Int64(4) }),
                ("@since", Ms(since)), ("@after", afterId), ("@limit", limit)));

        public ValueTask<bool> FinishQueuedRunAsync(long runId, RunState state, string? output, DateTimeOffset at) =>
            ValueTask.FromResult(scope.Execute(
                "UPDATE runs SET state = @state, output = @output, finished_at = @at WHERE id = @id AND state = 'queued'",
                ("@state", state.ToWire()), ("@output", output), ("@at", Ms(at)), ("@id", runId)) == 1);
    }
}
