using System.Globalization;
using System.Text;
using Kairos.Model;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// Claim: the dispatcher takes due runs in order priority → due time → id, within every limit.
/// The cost of a claim does not grow with the queue: candidates are read from the claim-order
/// index one priority at a time (a seek to the priority, then a range of due runs), so runs due
/// later, however many, are never scanned; and all chosen runs are marked running and journalled
/// with one statement each.
/// </summary>
public sealed partial class SqliteStore
{
    // Bounds the candidates one claim looks at when limits turn many of them down.
    private const int MaxCandidatesScanned = 4096;

    public Task<IReadOnlyList<RunRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken) =>
        Write<IReadOnlyList<RunRecord>>(scope =>
        {
            if (request.MaxRuns <= 0)
            {
                return [];
            }
            var chosen = ChooseClaimable(scope, request);
            return chosen.Count == 0 ? [] : MarkRunning(scope, request, chosen);
        }, urgent: true);

    private static List<Candidate> ChooseClaimable(SqliteWriteScope scope, ClaimRequest request)
    {
        var chosen = new List<Candidate>(request.MaxRuns);
        RunLimitCounter? running = null; // Read on first need: with no limit in play it is not needed at all.
        var scanned = 0;
        var below = long.MaxValue;
        while (chosen.Count < request.MaxRuns && scanned < MaxCandidatesScanned
            && scope.Scalar(
                "SELECT priority FROM runs INDEXED BY ix_runs_claim_order WHERE state = 'queued' AND held = 0 AND priority < @below ORDER BY priority DESC LIMIT 1",
                ("@below", below)) is long priority)
        {
            below = priority;
            var after = (Due: long.MinValue, Id: long.MinValue);
            // The first page is exactly what is missing, as when no limit turns a run down; pages
            // after it (limits did) double, up to a bound.
            var pageSize = request.MaxRuns - chosen.Count;
            while (chosen.Count < request.MaxRuns && scanned < MaxCandidatesScanned)
            {
                var page = scope.Query(
                    """
                    SELECT r.id, r.job_name, r.queue, r.executor_kind, j.max_instances, j.version, r.due_at
                    FROM runs r INDEXED BY ix_runs_claim_order JOIN jobs j ON j.name = r.job_name
                    WHERE r.state = 'queued' AND r.held = 0 AND r.priority = @priority AND r.due_at <= @now
                        AND (r.due_at, r.id) > (@afterDue, @afterId) AND j.paused = 0
                    ORDER BY r.due_at, r.id
                    LIMIT @limit
                    """,
                    r => ReadCandidate(r, request),
                    ("@priority", priority), ("@now", Ms(request.Now)), ("@afterDue", after.Due), ("@afterId", after.Id), ("@limit", pageSize));
                scanned += page.Count;
                foreach (var candidate in page)
                {
                    if (chosen.Count == request.MaxRuns)
                    {
                        break;
                    }
                    if (!LimitsApply(candidate, request))
                    {
                        chosen.Add(candidate);
                        continue;
                    }
                    running ??= RunningCounts(scope);
                    if (running.TryTake(candidate.JobName, candidate.Queue, candidate.ExecutorKind, candidate.MaxInstances, request))
                    {
                        chosen.Add(candidate);
                    }
                }
                if (page.Count < pageSize)
                {
                    break;
                }
                after = (page[^1].DueAt, page[^1].Id);
                pageSize = Math.Min(2 * pageSize, 512);
            }
        }
        return chosen;
    }

    /// <summary>A candidate row; the names a limit may need are read only when some limit can apply.</summary>
    private static Candidate ReadCandidate(SqliteStatement r, ClaimRequest request)
    {
        var maxInstances = SqliteRows.Int64OrNull(r, 4);
        var anyLimit = maxInstances is not null || request.QueueLimits.Count > 0 || request.ExecutorKindLimits.Count > 0;
        return anyLimit
            ? new Candidate(r.Int64(0), r.Text(1), r.Text(2), r.Text(3), maxInstances, r.Int64(5), r.Int64(6))
            : new Candidate(r.Int64(0), "", "", "", null, r.Int64(5), r.Int64(6));
    }

    private static bool LimitsApply(Candidate candidate, ClaimRequest request) =>
        candidate.MaxInstances is not null
        || request.QueueLimits.ContainsKey(candidate.Queue)
        || request.ExecutorKindLimits.ContainsKey(candidate.ExecutorKind);

    private List<RunRecord> MarkRunning(SqliteWriteScope scope, ClaimRequest request, List<Candidate> chosen)
    {
        var ids = new StringBuilder("[");
        foreach (var candidate in chosen)
        {
            ids.Append(ids.Length == 1 ? "" : ",").Append(candidate.Id.ToString(CultureInfo.InvariantCulture));
        }
        var idList = ids.Append(']').ToString();

        var byId = scope.Query(
            $"""
            UPDATE runs SET state = 'running', attempt = attempt + 1, started_at = @now, finished_at = NULL,
                lease_owner = @owner, lease_expires_at = @lease, cancel_requested = 0
            WHERE id IN (SELECT value FROM json_each(@ids)) RETURNING {SqliteRows.RunColumns}
            """,
            r => SqliteRows.Run(r),
            ("@now", Ms(request.Now)), ("@owner", request.Owner), ("@lease", Ms(request.LeaseExpiresAt)), ("@ids", idList)).ToDictionary(r => r.Id);

        // One run.started entry per run, in claim order, as {"attempt":N}.
        scope.Execute(
            """
            INSERT INTO journal (at, kind, job_name, run_id, trigger_id, node, data)
            SELECT @at, 'run.started', r.job_name, r.id, r.trigger_id, @node, json_object('attempt', r.attempt)
            FROM json_each(@ids) AS claimed JOIN runs r ON r.id = claimed.value
            ORDER BY claimed.key
            """,
            ("@at", Ms(request.Now)), ("@node", _node), ("@ids", idList));

        return chosen.Select(c => byId[c.Id] with { JobVersion = c.JobVersion }).ToList();
    }

    private static RunLimitCounter RunningCounts(SqliteWriteScope scope)
    {
        var counter = new RunLimitCounter();
        using var reader = scope.Command(
            "SELECT job_name, queue, executor_kind, COUNT(*) FROM runs WHERE state = 'running' GROUP BY job_name, queue, executor_kind").ExecuteReader();
        while (reader.Read())
        {
            counter.Add(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3));
        }
        return counter;
    }

    private sealed record Candidate(long Id, string JobName, string Queue, string ExecutorKind, long? MaxInstances, long JobVersion, long DueAt);

}
