using Kairos.Engine.Lifecycle;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Sqlite;

/// <summary>Leases, completion, rescue, cancel and manual retry: the running half of the run lifecycle.</summary>
internal sealed partial class SqliteStore
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
        Write(scope => Completed(RunCompletions.CompleteAsync(new Transaction(this, scope), completion)));

    private static CompletedRun? CompleteRun(SqliteWriteScope scope, RunCompletion completion, RunState state) =>
        scope.Query(
            """
            UPDATE runs SET state = @state, output = @output, error = @error, due_at = COALESCE(@retryAt, due_at),
                finished_at = CASE WHEN @state IN ('queued', 'waiting') THEN NULL ELSE @now END,
                lease_owner = NULL, lease_expires_at = NULL, cancel_requested = 0
            WHERE id = @id AND state = 'running' AND lease_owner = @owner
            RETURNING job_name, trigger_id, attempt, started_at
            """,
            r => new CompletedRun(r.Text(0), r.IsNull(1) ? null : r.Int64(1), (int)r.Int64(2), r.IsNull(3) ? null : Time(r.Int64(3))),
            ("@state", state.ToWire()), ("@output", completion.Output), ("@error", completion.Error), ("@retryAt", Ms(completion.RetryAt)),
            ("@now", Ms(completion.FinishedAt)), ("@id", completion.RunId), ("@owner", completion.Owner)).FirstOrDefault();

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
