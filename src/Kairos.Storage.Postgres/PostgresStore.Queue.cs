using Kairos.Engine.Enqueueing;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Enqueue: how runs enter the queue. The rules are <see cref="RunEnqueuer"/>'s; the rows are written
/// here. Enqueues arriving together are committed together (<see cref="PgGroupCommit{TItem, TResult}"/>):
/// plain requests of a batch go in with three statements (ids from the sequence, one INSERT of the
/// runs, one of their journal entries). A request for a job that does not exist fails its batch,
/// which is then written item by item, so only that caller gets the error.
/// </summary>
internal sealed partial class PostgresStore
{
    private const string RunInsertColumns =
        "job_name, queue, executor_kind, priority, state, max_attempts, source, trigger_id, parent_run_id, " +
        "payload, idempotency_key, created_at, due_at, finished_at, event_id, subscription, chain_depth, dedupe_key, held";

    public Task<EnqueueResult> EnqueueAsync(RunRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        _enqueues.WriteAsync((request, now));

    private Task<IReadOnlyList<EnqueueResult>> EnqueueBatchAsync(IReadOnlyList<(RunRequest Request, DateTimeOffset Now)> items) =>
        Write(async scope => await RunEnqueuer.EnqueueManyAsync(new Transaction(this, scope), items), CancellationToken.None);

    private async Task<EnqueueResult> EnqueueInScope(PgScope scope, RunRequest request, DateTimeOffset now) =>
        await RunEnqueuer.EnqueueAsync(new Transaction(this, scope), request, now);

    private static async Task<long?> InsertRunFromJob(PgScope scope, RunRequest request, DateTimeOffset now)
    {
        if (await scope.Scalar(
            $"""
            INSERT INTO runs ({RunInsertColumns})
            SELECT name, queue, executor_kind, COALESCE(@priority::bigint, priority), 'queued', max_attempts, @source, @trigger::bigint, @parent::bigint,
                   @payload::text, @key::text, @now, @due, NULL, @event::bigint, @subscription::text, @depth, @dedupe::text, paused
            FROM jobs WHERE name = @job AND NOT (skip_on_overlap AND max_instances IS NOT NULL) AND flow IS NULL
            ON CONFLICT (job_name, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """,
            ("priority", (long?)request.Priority), ("source", request.Source), ("trigger", request.TriggerId), ("parent", request.ParentRunId),
            ("payload", request.Payload), ("key", request.IdempotencyKey), ("now", Ms(now)), ("due", Ms(request.NotBefore ?? now)), ("job", request.JobName),
            ("event", request.EventId), ("subscription", request.Subscription), ("depth", (long)request.ChainDepth), ("dedupe", request.DedupeKey)) is not long id)
        {
            return null;
        }
        scope.Announce(StoreChanges.Runs);
        return id;
    }

    /// <remarks>
    /// Two nodes inserting the same idempotency key at once: ON CONFLICT DO NOTHING on the unique
    /// index makes the second wait for the first to commit, then insert nothing.
    /// </remarks>
    private static async Task<long?> InsertRun(PgScope scope, NewRun run)
    {
        if (await scope.Scalar(
            $"""
            INSERT INTO runs ({RunInsertColumns}, flow_keys)
            VALUES (@job, @queue, @kind, @priority, @state, @maxAttempts, @source, @trigger::bigint, @parent::bigint, @payload::text, @key::text, @now, @due,
                    @finished::bigint, @event::bigint, @subscription::text, @depth, @dedupe::text, @held, @flowKeys::text)
            ON CONFLICT (job_name, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """,
            ("job", run.JobName), ("queue", run.Queue), ("kind", run.ExecutorKind), ("priority", (long)run.Priority),
            ("state", run.State.ToWire()), ("maxAttempts", (long)run.MaxAttempts), ("source", run.Source), ("trigger", run.TriggerId),
            ("parent", run.ParentRunId), ("payload", run.Payload), ("key", run.IdempotencyKey), ("now", Ms(run.CreatedAt)),
            ("due", Ms(run.DueAt)), ("finished", Ms(run.FinishedAt)), ("event", run.EventId), ("subscription", run.Subscription),
            ("depth", (long)run.ChainDepth), ("dedupe", run.DedupeKey), ("held", run.Held), ("flowKeys", run.FlowKeys)) is not long id)
        {
            return null;
        }
        if (run.State == RunState.Queued)
        {
            scope.Announce(StoreChanges.Runs);
        }
        return id;
    }

    private static async Task<IReadOnlyList<long>> InsertRuns(PgScope scope, IReadOnlyList<NewRun> runs)
    {
        var ids = (await scope.Query(
            "SELECT nextval(pg_get_serial_sequence('runs', 'id')) FROM generate_series(1, @n)", r => r.GetInt64(0), ("n", runs.Count))).Order().ToArray();
        await scope.Execute(
            $"""
            INSERT INTO runs (id, {RunInsertColumns})
            SELECT r.id, r.job, r.queue, r.kind, r.priority, r.state, r.max_attempts, r.source, r.trigger, r.parent, r.payload, NULL, r.now, r.due,
                   r.finished, r.event, r.subscription, r.depth, r.dedupe, r.held
            FROM unnest(@ids, @jobs, @queues, @kinds, @priorities, @states, @maxAttempts, @sources, @triggers::bigint[], @parents::bigint[], @payloads::text[],
                        @nows, @dues, @finished::bigint[], @events::bigint[], @subscriptions::text[], @depths, @dedupes::text[], @held)
                AS r(id, job, queue, kind, priority, state, max_attempts, source, trigger, parent, payload, now, due, finished, event, subscription, depth, dedupe, held)
            """,
            ("ids", ids), ("jobs", runs.Select(r => r.JobName).ToArray()), ("queues", runs.Select(r => r.Queue).ToArray()),
            ("kinds", runs.Select(r => r.ExecutorKind).ToArray()), ("priorities", runs.Select(r => (long)r.Priority).ToArray()),
            ("states", runs.Select(r => r.State.ToWire()).ToArray()), ("maxAttempts", runs.Select(r => (long)r.MaxAttempts).ToArray()),
            ("sources", runs.Select(r => r.Source).ToArray()), ("triggers", runs.Select(r => r.TriggerId).ToArray()),
            ("parents", runs.Select(r => r.ParentRunId).ToArray()), ("payloads", runs.Select(r => r.Payload).ToArray()),
            ("nows", runs.Select(r => Ms(r.CreatedAt)).ToArray()), ("dues", runs.Select(r => Ms(r.DueAt)).ToArray()),
            ("finished", runs.Select(r => Ms(r.FinishedAt)).ToArray()), ("events", runs.Select(r => r.EventId).ToArray()),
            ("subscriptions", runs.Select(r => r.Subscription).ToArray()), ("depths", runs.Select(r => (long)r.ChainDepth).ToArray()),
            ("dedupes", runs.Select(r => r.DedupeKey).ToArray()), ("held", runs.Select(r => r.Held).ToArray()));
        if (runs.Any(r => r.State == RunState.Queued))
        {
            scope.Announce(StoreChanges.Runs);
        }
        return ids;
    }
}
