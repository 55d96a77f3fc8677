using System.Text.Json;
using Kairos.Model;

namespace Kairos.Storage.Postgres;

/// <summary>Enqueue: how runs enter the queue.</summary>
public sealed partial class PostgresStore
{
    private const string RunInsertColumns =
        "job_name, queue, executor_kind, priority, state, max_attempts, source, trigger_id, parent_run_id, " +
        "payload, idempotency_key, created_at, due_at, finished_at, event_id, subscription, chain_depth, dedupe_key, held";

    /// <summary>Enqueues arriving together are written together (see <see cref="EnqueueBatchAsync"/>).</summary>
    public Task<EnqueueResult> EnqueueAsync(RunRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        _enqueues.WriteAsync((request, now));

    public Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<RunRequest> requests, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write<IReadOnlyList<EnqueueResult>>(async scope =>
        {
            var results = new List<EnqueueResult>(requests.Count);
            foreach (var request in requests)
            {
                results.Add(await EnqueueInScope(scope, request, now));
            }
            return results;
        }, cancellationToken);

    /// <remarks>
    /// For a job that skips overlapping runs, its row is locked (FOR UPDATE) before counting its
    /// active runs, so two nodes deciding "skipped or queued" for the same job take turns. Two nodes
    /// enqueueing the same idempotency key at once: the insert is ON CONFLICT DO NOTHING on the
    /// unique index, so the second waits for the first to commit and then returns its run.
    /// </remarks>
    private async Task<EnqueueResult> EnqueueInScope(PgScope scope, RunRequest request, DateTimeOffset now)
    {
        if (request.IdempotencyKey is not null)
        {
            var existing = (await scope.Query(
                "SELECT id, state FROM runs WHERE job_name = @name AND idempotency_key = @key",
                r => new EnqueueResult(r.GetInt64(0), false, RunStates.Parse(r.GetString(1))),
                ("name", request.JobName), ("key", request.IdempotencyKey))).FirstOrDefault();
            if (existing is not null)
            {
                return existing;
            }
        }

        if (request.DedupeKey is not null && request.TriggerId is not null)
        {
            var existing = (await scope.Query(
                "SELECT id, state FROM runs WHERE trigger_id = @trigger AND dedupe_key = @key AND state IN ('queued', 'running')",
                r => new EnqueueResult(r.GetInt64(0), false, RunStates.Parse(r.GetString(1))),
                ("trigger", request.TriggerId), ("key", request.DedupeKey))).FirstOrDefault();
            if (existing is not null)
            {
                await Journal(scope, now, "run.deduplicated", request.JobName, existing.RunId, request.TriggerId,
                    JsonSerializer.Serialize(new { source = request.Source, dedupeKey = request.DedupeKey, reason = "the same context is already queued or running" }, KairosJson.Options));
                return existing;
            }
        }

        var due = request.NotBefore ?? now; // A past not-before keeps its place in the due-time order.
        if (await InsertRun(scope, request, now, due) is not { } inserted)
        {
            // Another transaction inserted a run with this idempotency key meanwhile (and has committed).
            return (await scope.Query(
                "SELECT id, state FROM runs WHERE job_name = @name AND idempotency_key = @key",
                r => new EnqueueResult(r.GetInt64(0), false, RunStates.Parse(r.GetString(1))),
                ("name", request.JobName), ("key", request.IdempotencyKey))).Single();
        }
        var (id, state, skipReason) = inserted;
        await Journal(scope, now, state == RunState.Skipped ? "run.skipped" : "run.enqueued", request.JobName, id, request.TriggerId, JournalNotes.Enqueued(request, due, skipReason));
        return new EnqueueResult(id, true, state);
    }

    private static async Task<(long Id, RunState State, string? SkipReason)?> InsertRun(PgScope scope, RunRequest request, DateTimeOffset now, DateTimeOffset due)
    {
        var job = (await scope.Query(
            "SELECT queue, executor_kind, priority, max_attempts, max_instances, skip_on_overlap, paused FROM jobs WHERE name = @name",
            r => new JobRow(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), PostgresRows.Long(r, 4), r.GetBoolean(5), r.GetBoolean(6)),
            ("name", request.JobName))).FirstOrDefault()
            ?? throw new KairosNotFoundException($"job '{request.JobName}' does not exist");

        var state = RunState.Queued;
        if (job.SkipOnOverlap && job.MaxInstances is { } maxInstances)
        {
            // Serialize the "is one already active?" decision for this job across nodes.
            await scope.Execute("SELECT 1 FROM jobs WHERE name = @name FOR UPDATE", ("name", request.JobName));
            var active = (long)(await scope.Scalar(
                "SELECT COUNT(*) FROM runs WHERE job_name = @name AND state IN ('queued', 'running')", ("name", request.JobName)))!;
            if (active >= maxInstances)
            {
                state = RunState.Skipped;
            }
        }
        if (await scope.Scalar(
            $"""
            INSERT INTO runs ({RunInsertColumns})
            VALUES (@job, @queue, @kind, @priority, @state, @maxAttempts, @source, @trigger::bigint, @parent::bigint, @payload::text, @key::text, @now, @due,
                    @finished::bigint, @event::bigint, @subscription::text, @depth, @dedupe::text, @held)
            ON CONFLICT (job_name, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """,
            ("job", request.JobName), ("queue", job.Queue), ("kind", job.ExecutorKind), ("priority", (long?)request.Priority ?? job.Priority),
            ("state", state.ToWire()), ("maxAttempts", job.MaxAttempts), ("source", request.Source), ("trigger", request.TriggerId),
            ("parent", request.ParentRunId), ("payload", request.Payload), ("key", request.IdempotencyKey), ("now", Ms(now)),
            ("due", Ms(due)), ("finished", state == RunState.Skipped ? Ms(now) : null),
            ("event", request.EventId), ("subscription", request.Subscription), ("depth", (long)request.ChainDepth), ("dedupe", request.DedupeKey),
            ("held", job.Paused && state == RunState.Queued)) is not long runId)
        {
            return null;
        }
        if (state == RunState.Queued)
        {
            scope.Announce(StoreChanges.Runs);
        }
        return (runId, state,
            state == RunState.Skipped ? $"job allows {job.MaxInstances} instance(s) at once and skips overlapping runs" : null);
    }

    private sealed record JobRow(string Queue, string ExecutorKind, long Priority, long MaxAttempts, long? MaxInstances, bool SkipOnOverlap, bool Paused);
}
