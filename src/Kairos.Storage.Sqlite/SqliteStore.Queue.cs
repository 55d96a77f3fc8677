using System.Text.Json;
using Kairos.Model;

namespace Kairos.Storage.Sqlite;

/// <summary>Enqueue: how runs enter the queue.</summary>
public sealed partial class SqliteStore
{
    public Task<EnqueueResult> EnqueueAsync(RunRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope => EnqueueInScope(scope, request, now));

    public Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<RunRequest> requests, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write<IReadOnlyList<EnqueueResult>>(scope => requests.Select(r => EnqueueInScope(scope, r, now)).ToList());

    private EnqueueResult EnqueueInScope(SqliteWriteScope scope, RunRequest request, DateTimeOffset now)
    {
        if (request.IdempotencyKey is not null)
        {
            using var reader = scope.Command(
                "SELECT id, state FROM runs WHERE job_name = @name AND idempotency_key = @key",
                ("@name", request.JobName), ("@key", request.IdempotencyKey)).ExecuteReader();
            if (reader.Read())
            {
                return new EnqueueResult(reader.GetInt64(0), false, RunStates.Parse(reader.GetString(1)));
            }
        }

        if (request.DedupeKey is not null && request.TriggerId is not null)
        {
            using var reader = scope.Command(
                "SELECT id, state FROM runs WHERE trigger_id = @trigger AND dedupe_key = @key AND state IN ('queued', 'running')",
                ("@trigger", request.TriggerId), ("@key", request.DedupeKey)).ExecuteReader();
            if (reader.Read())
            {
                var existing = new EnqueueResult(reader.GetInt64(0), false, RunStates.Parse(reader.GetString(1)));
                reader.Close();
                Journal(scope, now, "run.deduplicated", request.JobName, existing.RunId, request.TriggerId,
                    JsonSerializer.Serialize(new { source = request.Source, dedupeKey = request.DedupeKey, reason = "the same context is already queued or running" }, KairosJson.Options));
                return existing;
            }
        }

        var due = request.NotBefore ?? now; // A past not-before keeps its place in the due-time order.
        var (id, state, skipReason) = InsertRun(scope, request, now, due);
        Journal(scope, now, state == RunState.Skipped ? "run.skipped" : "run.enqueued", request.JobName, id, request.TriggerId, JournalNotes.Enqueued(request, due, skipReason));
        return new EnqueueResult(id, true, state);
    }

    private static (long Id, RunState State, string? SkipReason) InsertRun(SqliteWriteScope scope, RunRequest request, DateTimeOffset now, DateTimeOffset due)
    {
        // The usual job, without a skip-on-overlap rule: one statement copies the job's settings into
        // the new run (and inserts nothing when the job does not exist).
        if (scope.Execute(
            """
            INSERT INTO runs (job_name, queue, executor_kind, priority, state, max_attempts, source, trigger_id, parent_run_id,
                              payload, idempotency_key, created_at, due_at, event_id, subscription, chain_depth, dedupe_key, held)
            SELECT name, queue, executor_kind, COALESCE(@priority, priority), 'queued', max_attempts, @source, @trigger, @parent,
                   @payload, @key, @now, @due, @event, @subscription, @depth, @dedupe, paused
            FROM jobs WHERE name = @job AND NOT (skip_on_overlap = 1 AND max_instances IS NOT NULL)
            """,
            ("@priority", request.Priority), ("@source", request.Source), ("@trigger", request.TriggerId), ("@parent", request.ParentRunId),
            ("@payload", request.Payload), ("@key", request.IdempotencyKey), ("@now", Ms(now)), ("@due", Ms(due)), ("@job", request.JobName),
            ("@event", request.EventId), ("@subscription", request.Subscription), ("@depth", request.ChainDepth), ("@dedupe", request.DedupeKey)) == 1)
        {
            return (scope.LastInsertRowId, RunState.Queued, null);
        }

        JobRow job;
        using (var reader = scope.Command(
            "SELECT queue, executor_kind, priority, max_attempts, max_instances FROM jobs WHERE name = @name",
            ("@name", request.JobName)).ExecuteReader())
        {
            if (!reader.Read())
            {
                throw new KairosNotFoundException($"job '{request.JobName}' does not exist");
            }
            job = new JobRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4));
        }
        // The job skips overlapping runs: the new run is recorded as skipped while its job has max_instances active.
        var active = (long)scope.Scalar(
            "SELECT COUNT(*) FROM runs WHERE job_name = @name AND state IN ('queued', 'running')", ("@name", request.JobName))!;
        var state = active >= job.MaxInstances ? RunState.Skipped : RunState.Queued;
        var runId = (long)scope.Scalar(
            """
            INSERT INTO runs (job_name, queue, executor_kind, priority, state, max_attempts, source, trigger_id, parent_run_id,
                              payload, idempotency_key, created_at, due_at, finished_at, event_id, subscription, chain_depth, dedupe_key, held)
            VALUES (@job, @queue, @kind, @priority, @state, @maxAttempts, @source, @trigger, @parent, @payload, @key, @now, @due, @finished,
                    @event, @subscription, @depth, @dedupe, (SELECT paused FROM jobs WHERE name = @job))
            RETURNING id
            """,
            ("@job", request.JobName), ("@queue", job.Queue), ("@kind", job.ExecutorKind), ("@priority", request.Priority ?? job.Priority),
            ("@state", state.ToWire()), ("@maxAttempts", job.MaxAttempts), ("@source", request.Source), ("@trigger", request.TriggerId),
            ("@parent", request.ParentRunId), ("@payload", request.Payload), ("@key", request.IdempotencyKey), ("@now", Ms(now)),
            ("@due", Ms(due)), ("@finished", state == RunState.Skipped ? Ms(now) : null),
            ("@event", request.EventId), ("@subscription", request.Subscription), ("@depth", request.ChainDepth), ("@dedupe", request.DedupeKey))!;
        return (runId, state,
            state == RunState.Skipped ? $"job allows {job.MaxInstances} instance(s) at once and skips overlapping runs" : null);
    }

    private sealed record JobRow(string Queue, string ExecutorKind, int Priority, int MaxAttempts, long MaxInstances);
}
