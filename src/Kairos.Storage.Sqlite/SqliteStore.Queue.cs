using Kairos.Engine.Enqueueing;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Sqlite;

/// <summary>Enqueue: how runs enter the queue (the rules are <see cref="RunEnqueuer"/>'s; the rows are written here).</summary>
internal sealed partial class SqliteStore
{
    public Task<EnqueueResult> EnqueueAsync(RunRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope => EnqueueInScope(scope, request, now));

    private EnqueueResult EnqueueInScope(SqliteWriteScope scope, RunRequest request, DateTimeOffset now) =>
        Completed(RunEnqueuer.EnqueueAsync(new Transaction(this, scope), request, now));

    private static long? InsertRunFromJob(SqliteWriteScope scope, RunRequest request, DateTimeOffset now) =>
        scope.Execute(
            """
            INSERT INTO runs (job_name, queue, executor_kind, priority, state, max_attempts, source, trigger_id, parent_run_id,
                              payload, idempotency_key, created_at, due_at, event_id, subscription, chain_depth, dedupe_key, held)
            SELECT name, queue, executor_kind, COALESCE(@priority, priority), 'queued', max_attempts, @source, @trigger, @parent,
                   @payload, @key, @now, @due, @event, @subscription, @depth, @dedupe, paused
            FROM jobs WHERE name = @job AND NOT (skip_on_overlap = 1 AND max_instances IS NOT NULL) AND flow IS NULL
            ON CONFLICT (job_name, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            """,
            ("@priority", request.Priority), ("@source", request.Source), ("@trigger", request.TriggerId), ("@parent", request.ParentRunId),
            ("@payload", request.Payload), ("@key", request.IdempotencyKey), ("@now", Ms(now)), ("@due", Ms(request.NotBefore ?? now)), ("@job", request.JobName),
            ("@event", request.EventId), ("@subscription", request.Subscription), ("@depth", request.ChainDepth), ("@dedupe", request.DedupeKey)) == 1
            ? scope.LastInsertRowId
            : null;

    private static long? InsertRun(SqliteWriteScope scope, NewRun run) =>
        scope.Execute(
            """
            INSERT INTO runs (job_name, queue, executor_kind, priority, state, max_attempts, source, trigger_id, parent_run_id,
                              payload, idempotency_key, created_at, due_at, finished_at, event_id, subscription, chain_depth, dedupe_key, held, flow_keys)
            VALUES (@job, @queue, @kind, @priority, @state, @maxAttempts, @source, @trigger, @parent, @payload, @key, @now, @due, @finished,
                    @event, @subscription, @depth, @dedupe, @held, @flowKeys)
            ON CONFLICT (job_name, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            """,
            ("@job", run.JobName), ("@queue", run.Queue), ("@kind", run.ExecutorKind), ("@priority", run.Priority),
            ("@state", run.State.ToWire()), ("@maxAttempts", run.MaxAttempts), ("@source", run.Source), ("@trigger", run.TriggerId),
            ("@parent", run.ParentRunId), ("@payload", run.Payload), ("@key", run.IdempotencyKey), ("@now", Ms(run.CreatedAt)),
            ("@due", Ms(run.DueAt)), ("@finished", Ms(run.FinishedAt)), ("@event", run.EventId), ("@subscription", run.Subscription),
            ("@depth", run.ChainDepth), ("@dedupe", run.DedupeKey), ("@held", run.Held ? 1 : 0), ("@flowKeys", run.FlowKeys)) == 1
            ? scope.LastInsertRowId
            : null; // The idempotency key is taken.
}
