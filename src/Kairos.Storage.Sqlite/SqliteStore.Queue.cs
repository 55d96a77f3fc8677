using System.Globalization;
using System.Text.Json;
using Kairos.Model;

namespace Kairos.Storage.Sqlite;

/// <summary>Enqueue and claim: the queue half of the run lifecycle.</summary>
public sealed partial class SqliteStore
{
    public Task<EnqueueResult> EnqueueAsync(RunRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope => EnqueueInScope(scope, request, now));

    public Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<RunRequest> requests, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write<IReadOnlyList<EnqueueResult>>(scope => requests.Select(r => EnqueueInScope(scope, r, now)).ToList());

    private EnqueueResult EnqueueInScope(SqliteWriteScope scope, RunRequest request, DateTimeOffset now)
    {
        JobRow job;
        using (var reader = scope.Command(
            "SELECT queue, executor_kind, priority, max_attempts, max_instances, skip_on_overlap FROM jobs WHERE name = @name",
            ("@name", request.JobName)).ExecuteReader())
        {
            if (!reader.Read())
            {
                throw new KairosNotFoundException($"job '{request.JobName}' does not exist");
            }
            job = new JobRow(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3),
                SqliteRows.NullableLong(reader, 4), reader.GetInt64(5) != 0);
        }

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

        var state = RunState.Queued;
        if (job.MaxInstances is { } max && job.SkipOnOverlap)
        {
            var active = (long)scope.Scalar(
                "SELECT COUNT(*) FROM runs WHERE job_name = @name AND state IN ('queued', 'running')", ("@name", request.JobName))!;
            if (active >= max)
            {
                state = RunState.Skipped;
            }
        }

        var due = request.NotBefore ?? now; // A past not-before keeps its place in the due-time order.
        var id = (long)scope.Scalar(
            """
            INSERT INTO runs (job_name, queue, executor_kind, priority, state, max_attempts, source, trigger_id, parent_run_id,
                              payload, idempotency_key, created_at, due_at, finished_at, event_id, subscription, chain_depth, dedupe_key)
            VALUES (@job, @queue, @kind, @priority, @state, @maxAttempts, @source, @trigger, @parent, @payload, @key, @now, @due, @finished,
                    @event, @subscription, @depth, @dedupe)
            RETURNING id
            """,
            ("@job", request.JobName), ("@queue", job.Queue), ("@kind", job.ExecutorKind), ("@priority", request.Priority ?? job.Priority),
            ("@state", state.ToWire()), ("@maxAttempts", job.MaxAttempts), ("@source", request.Source), ("@trigger", request.TriggerId),
            ("@parent", request.ParentRunId), ("@payload", request.Payload), ("@key", request.IdempotencyKey), ("@now", Ms(now)),
            ("@due", Ms(due)), ("@finished", state == RunState.Skipped ? Ms(now) : null),
            ("@event", request.EventId), ("@subscription", request.Subscription), ("@depth", request.ChainDepth), ("@dedupe", request.DedupeKey))!;

        var data = JsonSerializer.Serialize(new
        {
            source = request.Source,
            dueAt = due,
            idempotencyKey = request.IdempotencyKey,
            parentRunId = request.ParentRunId,
            eventId = request.EventId,
            subscription = request.Subscription,
            reason = state == RunState.Skipped ? $"job allows {job.MaxInstances} instance(s) at once and skips overlapping runs" : null,
        }, KairosJson.Options);
        Journal(scope, now, state == RunState.Skipped ? "run.skipped" : "run.enqueued", request.JobName, id, request.TriggerId, data);
        return new EnqueueResult(id, true, state);
    }

    public Task<IReadOnlyList<RunRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken) =>
        Write<IReadOnlyList<RunRecord>>(scope =>
        {
            if (request.MaxRuns <= 0)
            {
                return [];
            }
            var running = RunningCounts(scope);
            var chosen = new List<(long Id, long JobVersion)>();
            var pageSize = Math.Max(request.MaxRuns * 2, 64);
            for (var offset = 0; chosen.Count < request.MaxRuns && offset < 4096; offset += pageSize)
            {
                var candidates = SqliteRows.ReadAll(scope.Command(
                    """
                    SELECT r.id, r.job_name, r.queue, r.executor_kind, j.max_instances, j.version
                    FROM runs r JOIN jobs j ON j.name = r.job_name
                    WHERE r.state = 'queued' AND r.due_at <= @now AND j.paused = 0
                    ORDER BY r.priority DESC, r.due_at, r.id
                    LIMIT @limit OFFSET @offset
                    """,
                    ("@now", Ms(request.Now)), ("@limit", pageSize), ("@offset", offset)),
                    r => new Candidate(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), SqliteRows.NullableLong(r, 4), r.GetInt64(5)));
                foreach (var candidate in candidates)
                {
                    if (chosen.Count < request.MaxRuns && running.TryTake(candidate, request))
                    {
                        chosen.Add((candidate.Id, candidate.JobVersion));
                    }
                }
                if (candidates.Count < pageSize)
                {
                    break;
                }
            }

            var claimed = new List<RunRecord>(chosen.Count);
            foreach (var (id, jobVersion) in chosen)
            {
                using (var reader = scope.Command(
                    $"""
                    UPDATE runs SET state = 'running', attempt = attempt + 1, started_at = @now, finished_at = NULL,
                        lease_owner = @owner, lease_expires_at = @lease, cancel_requested = 0
                    WHERE id = @id RETURNING {SqliteRows.RunColumns}
                    """,
                    ("@now", Ms(request.Now)), ("@owner", request.Owner), ("@lease", Ms(request.LeaseExpiresAt)), ("@id", id)).ExecuteReader())
                {
                    reader.Read();
                    claimed.Add(SqliteRows.Run(reader, jobVersion));
                }
                var run = claimed[^1];
                Journal(scope, request.Now, "run.started", run.JobName, run.Id, run.TriggerId,
                    string.Create(CultureInfo.InvariantCulture, $"{{\"attempt\":{run.Attempt}}}"));
            }
            return claimed;
        });

    private static RunningCounter RunningCounts(SqliteWriteScope scope)
    {
        var counter = new RunningCounter();
        using var reader = scope.Command(
            "SELECT job_name, queue, executor_kind, COUNT(*) FROM runs WHERE state = 'running' GROUP BY job_name, queue, executor_kind").ExecuteReader();
        while (reader.Read())
        {
            counter.Add(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3));
        }
        return counter;
    }

    private sealed record JobRow(string Queue, string ExecutorKind, int Priority, int MaxAttempts, long? MaxInstances, bool SkipOnOverlap);

    private sealed record Candidate(long Id, string JobName, string Queue, string ExecutorKind, long? MaxInstances, long JobVersion);

    /// <summary>Running runs per job, queue and executor kind, so a claim can stay within every limit.</summary>
    private sealed class RunningCounter
    {
        private readonly Dictionary<string, int> _jobs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _queues = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _kinds = new(StringComparer.Ordinal);

        public void Add(string job, string queue, string kind, int count)
        {
            _jobs[job] = _jobs.GetValueOrDefault(job) + count;
            _queues[queue] = _queues.GetValueOrDefault(queue) + count;
            _kinds[kind] = _kinds.GetValueOrDefault(kind) + count;
        }

        public bool TryTake(Candidate candidate, ClaimRequest request)
        {
            if (candidate.MaxInstances is { } maxInstances && _jobs.GetValueOrDefault(candidate.JobName) >= maxInstances)
            {
                return false;
            }
            if (request.QueueLimits.TryGetValue(candidate.Queue, out var queueLimit) && _queues.GetValueOrDefault(candidate.Queue) >= queueLimit)
            {
                return false;
            }
            if (request.ExecutorKindLimits.TryGetValue(candidate.ExecutorKind, out var kindLimit) && _kinds.GetValueOrDefault(candidate.ExecutorKind) >= kindLimit)
            {
                return false;
            }
            Add(candidate.JobName, candidate.Queue, candidate.ExecutorKind, 1);
            return true;
        }
    }
}
