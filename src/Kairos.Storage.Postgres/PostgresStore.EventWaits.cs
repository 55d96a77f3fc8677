using Kairos.Events;
using Kairos.Model;
using Kairos.Storage.Drivers;
using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>The primitives of waitForEvent steps' waits (the rules are in src/Kairos.Core/Workflows/EventWaits.cs).</summary>
internal sealed partial class PostgresStore
{
    private const string EventWaitColumns = "run_id, workflow_run_id, namespace, type, match, match_values, since, deadline, event_id, data";

    private static EventWaitRow EventWait(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), Time(r.GetInt64(6)), Time(r.GetInt64(7)))
        {
            Match = PostgresRows.Text(r, 4),
            Values = PostgresRows.Text(r, 5),
            EventId = PostgresRows.Long(r, 8),
            Data = PostgresRows.Text(r, 9),
        };

    private sealed partial class Transaction
    {
        // One advisory lock per schema (per Kairos installation), taken until the transaction ends:
        // publishes share it, a look-back has it alone.
        public async ValueTask LockEventWaitsAsync(bool exclusive) =>
            await scope.Execute(exclusive
                ? "SELECT pg_advisory_xact_lock(hashtext('kairos.event-waits.' || current_schema()))"
                : "SELECT pg_advisory_xact_lock_shared(hashtext('kairos.event-waits.' || current_schema()))").ConfigureAwait(false);

        public async ValueTask InsertEventWaitAsync(EventWaitRow wait) =>
            await scope.Execute(
                $"""
                INSERT INTO workflow_waits ({EventWaitColumns})
                VALUES (@run, @workflow, @ns, @type, @match::text, @values::text, @since, @deadline, @event::bigint, @data::text)
                """,
                ("run", wait.RunId), ("workflow", wait.WorkflowRunId), ("ns", wait.Namespace), ("type", wait.Type), ("match", wait.Match),
                ("values", wait.Values), ("since", Ms(wait.Since)), ("deadline", Ms(wait.Deadline)), ("event", wait.EventId), ("data", wait.Data)).ConfigureAwait(false);

        public async ValueTask<IReadOnlyList<EventWaitRow>> ListOpenEventWaitsAsync(string ns) =>
            await scope.Query($"SELECT {EventWaitColumns} FROM workflow_waits WHERE namespace = @ns AND event_id IS NULL ORDER BY run_id", EventWait, ("ns", ns))
                .ConfigureAwait(false);

        public async ValueTask<EventWaitRow?> GetEventWaitForUpdateAsync(long runId) =>
            (await scope.Query($"SELECT {EventWaitColumns} FROM workflow_waits WHERE run_id = @run FOR UPDATE", EventWait, ("run", runId)).ConfigureAwait(false))
                .FirstOrDefault();

        public async ValueTask<bool> TakeEventAsync(long runId, long eventId, string? data) =>
            await scope.Execute("UPDATE workflow_waits SET event_id = @event, data = @data::text WHERE run_id = @run AND event_id IS NULL",
                ("event", eventId), ("data", data), ("run", runId)).ConfigureAwait(false) == 1;

        public async ValueTask MoveEventWaitAsync(long runId, long newRunId) =>
            await scope.Execute("UPDATE workflow_waits SET run_id = @new WHERE run_id = @run", ("new", newRunId), ("run", runId)).ConfigureAwait(false);

        public async ValueTask DeleteEventWaitAsync(long runId) =>
            await scope.Execute("DELETE FROM workflow_waits WHERE run_id = @run", ("run", runId)).ConfigureAwait(false);

        public async ValueTask<IReadOnlyList<(long Id, EventRequest Request)>> ListEventsSinceAsync(DateTimeOffset since, long afterId, int limit) =>
            await scope.Query(
                "SELECT id, type, source, data, priority FROM events WHERE published_at >= @since AND id > @after ORDER BY id LIMIT @limit",
                r => (r.GetInt64(0), new EventRequest(r.GetString(1), r.GetString(2)) { Data = PostgresRows.Text(r, 3), Priority = (int)r.GetInt64(4) }),
                ("since", Ms(since)), ("after", afterId), ("limit", (long)limit)).ConfigureAwait(false);

        // SKIP LOCKED: a run whose row another transaction holds is being claimed or ended; waiting for
        // it could deadlock with that transaction, which may be waiting for this one's wait row.
        public async ValueTask<bool> FinishQueuedRunAsync(long runId, RunState state, string? output, DateTimeOffset at) =>
            await scope.Execute(
                """
                UPDATE runs SET state = @state, output = @output::text, finished_at = @at
                WHERE id = (SELECT id FROM runs WHERE id = @id AND state = 'queued' FOR UPDATE SKIP LOCKED)
                """,
                ("state", state.ToWire()), ("output", output), ("at", Ms(at)), ("id", runId)).ConfigureAwait(false) == 1;
    }
}
