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
