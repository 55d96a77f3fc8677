using System.Globalization;
using System.Text;
using Kairos.Engine.Claiming;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// Claim: the rules are <see cref="RunClaims"/>'s; the reads and writes are here. The cost of a claim
/// does not grow with the queue: candidates are read from the claim-order index one priority at a
/// time (a seek to the priority, then a range of due runs), so runs due later, however many, are
/// never scanned; and all chosen runs are marked running with one statement.
/// </summary>
internal sealed partial class SqliteStore
{
    /// <summary>Claims go ahead of the writes already queued: due runs should not wait for a batch of completions.</summary>
    public Task<IReadOnlyList<RunRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken) =>
        Write(scope => Completed(RunClaims.ClaimAsync(new Transaction(this, scope), request)), urgent: true);

    private static List<ClaimCandidate> ReadClaimCandidates(SqliteWriteScope scope, DateTimeOffset now, ClaimCandidate? after, int limit)
    {
        var found = new List<ClaimCandidate>(limit);
        var priority = after?.Priority ?? HighestQueuedPriorityBelow(scope, long.MaxValue);
        var position = after is null ? (Due: long.MinValue, Id: long.MinValue) : (Due: Ms(after.DueAt), Id: after.Id);
        while (priority is { } p && found.Count < limit)
        {
            found.AddRange(scope.Query(
                """
                SELECT r.id, r.job_name, r.queue, r.executor_kind, j.max_instances, j.version, r.due_at, r.flow_keys, r.attempt, r.trigger_id
                FROM runs r INDEXED BY ix_runs_claim_order JOIN jobs j ON j.name = r.job_name
                WHERE r.state = 'queued' AND r.held = 0 AND r.priority = @priority AND r.due_at <= @now
                    AND (r.due_at, r.id) > (@afterDue, @afterId) AND j.paused = 0
                ORDER BY r.due_at, r.id
                LIMIT @limit
                """,
                r => new ClaimCandidate(r.Int64(0), r.Text(1), r.Text(2), r.Text(3), SqliteRows.Int64OrNull(r, 4), r.Int64(5), (int)p, Time(r.Int64(6)))
                {
                    FlowKeys = r.IsNull(7) ? null : r.Text(7),
                    Attempt = (int)r.Int64(8),
                    TriggerId = SqliteRows.Int64OrNull(r, 9),
                },
                ("@priority", p), ("@now", Ms(now)), ("@afterDue", position.Due), ("@afterId", position.Id), ("@limit", limit - found.Count)));
            priority = found.Count < limit ? HighestQueuedPriorityBelow(scope, p) : null;
            position = (long.MinValue, long.MinValue);
        }
        return found;
    }

    private static int? HighestQueuedPriorityBelow(SqliteWriteScope scope, long below) =>
        scope.Scalar(
            "SELECT priority FROM runs INDEXED BY ix_runs_claim_order WHERE state = 'queued' AND held = 0 AND priority < @below ORDER BY priority DESC LIMIT 1",
            ("@below", below)) is long priority ? (int)priority : null;

    private static List<RunningCount> CountRunningRuns(SqliteWriteScope scope) =>
        scope.Query("SELECT job_name, queue, executor_kind, COUNT(*) FROM runs WHERE state = 'running' GROUP BY job_name, queue, executor_kind",
            r => new RunningCount(r.Text(0), r.Text(1), r.Text(2), r.Int64(3)));

    private static List<RunRecord> MarkClaimed(SqliteWriteScope scope, IReadOnlyList<RunStart> starts, string owner, DateTimeOffset leaseExpiresAt)
    {
        // [[id, started_at], ...]: one statement for all the runs.
        var pairs = new StringBuilder("[");
        foreach (var start in starts)
        {
            pairs.Append(pairs.Length == 1 ? "[" : ",[").Append(start.Id.ToString(CultureInfo.InvariantCulture))
                .Append(',').Append(Ms(start.StartedAt).ToString(CultureInfo.InvariantCulture)).Append(']');
        }
        var byId = scope.Query(
            $"""
            UPDATE runs SET state = 'running', attempt = attempt + 1, started_at = s.start_ms, finished_at = NULL,
                lease_owner = @owner, lease_expires_at = @lease, cancel_requested = 0
            FROM (SELECT value ->> 0 AS run, value ->> 1 AS start_ms FROM json_each(@starts)) s
            WHERE runs.id = s.run RETURNING {SqliteRows.RunColumns}
            """,
            r => SqliteRows.Run(r),
            ("@owner", owner), ("@lease", Ms(leaseExpiresAt)), ("@starts", pairs.Append(']').ToString())).ToDictionary(r => r.Id);
        return starts.Select(s => byId[s.Id]).ToList();
    }
}
