using System.Text.Json;
using Kairos.Model;

namespace Kairos.Storage.Sqlite;

/// <summary>Leases, completion, rescue, cancel and manual retry: the running half of the run lifecycle.</summary>
public sealed partial class SqliteStore
{
    public Task<LeaseRenewal> RenewLeasesAsync(string owner, IReadOnlyCollection<long> runIds, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            var cancel = new List<long>();
            var lost = new List<long>();
            foreach (var id in runIds)
            {
                var flag = scope.Scalar(
                    "UPDATE runs SET lease_expires_at = @lease WHERE id = @id AND state = 'running' AND lease_owner = @owner RETURNING cancel_requested",
                    ("@lease", Ms(leaseExpiresAt)), ("@id", id), ("@owner", owner));
                if (flag is null)
                {
                    lost.Add(id);
                }
                else if ((long)flag != 0)
                {
                    cancel.Add(id);
                }
            }
            return new LeaseRenewal(cancel, lost);
        });

    public Task<bool> CompleteAsync(RunCompletion completion, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            var (state, kind) = completion.Outcome switch
            {
                RunOutcome.Succeeded => (RunState.Succeeded, "run.succeeded"),
                RunOutcome.Cancelled => (RunState.Cancelled, "run.cancelled"),
                _ when completion.RetryAt is not null => (RunState.Queued, "run.failed"),
                _ => (RunState.Dead, "run.dead"),
            };
            var changed = scope.Execute(
                """
                UPDATE runs SET state = @state, output = @output, error = @error, due_at = COALESCE(@retryAt, due_at),
                    finished_at = CASE WHEN @state = 'queued' THEN NULL ELSE @now END,
                    lease_owner = NULL, lease_expires_at = NULL, cancel_requested = 0
                WHERE id = @id AND state = 'running' AND lease_owner = @owner
                """,
                ("@state", state.ToWire()), ("@output", completion.Output), ("@error", completion.Error), ("@retryAt", Ms(completion.RetryAt)),
                ("@now", Ms(completion.FinishedAt)), ("@id", completion.RunId), ("@owner", completion.Owner));
            if (changed == 0)
            {
                return false; // The lease was lost (rescued by another node): that node now owns the outcome.
            }
            var retryAt = completion.RetryAt is { } at ? JsonSerializer.Serialize(at, KairosJson.Options) : null;
            if (state == RunState.Dead)
            {
                JournalCompletion(scope, completion, "run.failed", retryAt);
            }
            JournalCompletion(scope, completion, kind, retryAt);
            InsertLog(scope, completion.RunId, completion.Log);
            if (state != RunState.Queued)
            {
                PublishRunFinished(scope, completion.RunId, completion.FinishedAt);
            }
            return true;
        });

    /// <summary>
    /// The entry of a completed attempt, built by SQLite from the row just updated (no read-back, no
    /// serializer on the hot path): {"attempt", "durationMs", "error", "retryAt"}, nulls left out.
    /// </summary>
    private void JournalCompletion(SqliteWriteScope scope, RunCompletion completion, string kind, string? retryAtJson) =>
        scope.Execute(
            """
            INSERT INTO journal (at, kind, job_name, run_id, trigger_id, node, data)
            SELECT @at, @kind, job_name, id, trigger_id, @node,
                json_patch('{}', json_object('attempt', attempt, 'durationMs', @at - started_at, 'error', @error, 'retryAt', json(@retryAt)))
            FROM runs WHERE id = @id
            """,
            ("@at", Ms(completion.FinishedAt)), ("@kind", kind), ("@node", _node), ("@error", completion.Error), ("@retryAt", retryAtJson),
            ("@id", completion.RunId));

    public Task<int> RescueExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            var expired = SqliteRows.ReadAll(
                scope.Command("SELECT id FROM runs WHERE state = 'running' AND lease_expires_at < @now", ("@now", Ms(now))),
                r => r.GetInt64(0));
            foreach (var id in expired)
            {
                Requeue(scope, id, now, "run.rescued", "lease expired: the node running it stopped heartbeating");
            }
            return expired.Count;
        });

    public Task ReleaseAsync(string owner, IReadOnlyCollection<long> runIds, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            foreach (var id in runIds)
            {
                var owned = scope.Scalar("SELECT 1 FROM runs WHERE id = @id AND state = 'running' AND lease_owner = @owner", ("@id", id), ("@owner", owner));
                if (owned is not null)
                {
                    Requeue(scope, id, now, "run.released", reason);
                }
            }
            return true;
        });

    /// <summary>An interrupted attempt counts: the run is queued again, or dead if that was its last attempt.</summary>
    private void Requeue(SqliteWriteScope scope, long id, DateTimeOffset now, string kind, string reason)
    {
        using var reader = scope.Command(
            """
            UPDATE runs SET
                state = CASE WHEN attempt >= max_attempts THEN 'dead' ELSE 'queued' END,
                error = @reason, due_at = @now,
                finished_at = CASE WHEN attempt >= max_attempts THEN @now ELSE NULL END,
                lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @id RETURNING job_name, trigger_id, attempt, state, lease_owner
            """,
            ("@reason", reason), ("@now", Ms(now)), ("@id", id)).ExecuteReader();
        reader.Read();
        var job = reader.GetString(0);
        var triggerId = SqliteRows.NullableLong(reader, 1);
        var state = reader.GetString(3);
        var data = JsonSerializer.Serialize(new { attempt = reader.GetInt32(2), reason, state }, KairosJson.Options);
        reader.Close();
        Journal(scope, now, kind, job, id, triggerId, data);
        if (state == "dead")
        {
            PublishRunFinished(scope, id, now);
        }
    }

    public Task<CancelResult> CancelRunAsync(long runId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            var row = SqliteRows.ReadAll(
                scope.Command("SELECT state, job_name, trigger_id FROM runs WHERE id = @id", ("@id", runId)),
                r => (State: RunStates.Parse(r.GetString(0)), Job: r.GetString(1), Trigger: SqliteRows.NullableLong(r, 2))).FirstOrDefault();
            if (row.Job is null)
            {
                return CancelResult.NotFound;
            }
            switch (row.State)
            {
                case RunState.Queued:
                    scope.Execute(
                        "UPDATE runs SET state = 'cancelled', finished_at = @now, error = 'cancelled before it started' WHERE id = @id",
                        ("@now", Ms(now)), ("@id", runId));
                    Journal(scope, now, "run.cancelled", row.Job, runId, row.Trigger, """{"while":"queued"}""");
                    PublishRunFinished(scope, runId, now);
                    return CancelResult.Cancelled;
                case RunState.Running:
                    scope.Execute("UPDATE runs SET cancel_requested = 1 WHERE id = @id", ("@id", runId));
                    Journal(scope, now, "run.cancel-requested", row.Job, runId, row.Trigger, null);
                    return CancelResult.CancelRequested;
                default:
                    return CancelResult.AlreadyFinished;
            }
        });

    public Task<RunRecord?> RetryRunAsync(long runId, int extraAttempts, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            var state = scope.Scalar("SELECT state FROM runs WHERE id = @id", ("@id", runId)) as string;
            if (state is null)
            {
                return null;
            }
            if (!RunStates.Parse(state).IsFinished())
            {
                throw new KairosConflictException($"run {runId} is {state}; only a finished run (dead, cancelled, succeeded, skipped) can be retried");
            }
            RunRecord run;
            using (var reader = scope.Command(
                $"""
                UPDATE runs SET state = 'queued', due_at = @now, finished_at = NULL, max_attempts = attempt + @extra, cancel_requested = 0
                WHERE id = @id RETURNING {SqliteRows.RunColumns}
                """,
                ("@now", Ms(now)), ("@extra", Math.Max(1, extraAttempts)), ("@id", runId)).ExecuteReader())
            {
                reader.Read();
                run = SqliteRows.Run(reader);
            }
            Journal(scope, now, "run.retried", run.JobName, runId, run.TriggerId, JsonSerializer.Serialize(new { from = state }, KairosJson.Options));
            return run;
        });

    public Task AppendRunLogAsync(long runId, IReadOnlyList<RunLogLine> lines, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            InsertLog(scope, runId, lines);
            return true;
        });

    private static void InsertLog(SqliteWriteScope scope, long runId, IReadOnlyList<RunLogLine> lines)
    {
        foreach (var line in lines)
        {
            scope.Execute("INSERT INTO run_logs (run_id, at, stream, text) VALUES (@run, @at, @stream, @text)",
                ("@run", runId), ("@at", Ms(line.At)), ("@stream", line.Stream), ("@text", line.Text));
        }
    }
}
