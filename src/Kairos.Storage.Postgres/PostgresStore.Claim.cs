using Kairos.Model;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Claim: due runs in order priority → due time → id, within every limit, for one owner among
/// several nodes.
/// <para>
/// Concurrency: the limits (job max_instances, queue and executor-kind limits) count running runs
/// of every owner, which row locks alone cannot protect (two nodes could each see the other's
/// claims uncommitted and both go over a limit). So every claim transaction first takes one
/// transaction-scoped advisory lock (<c>pg_advisory_xact_lock</c>, keyed by the schema): claims
/// across the cluster take turns, and each one counts running runs only after the previous claim
/// committed — no race window on the limits. Candidates are then read page by page in claim order
/// with <c>FOR UPDATE OF r SKIP LOCKED</c>, so runs locked by a concurrent cancel, complete or
/// rescue are passed over rather than waited on. The price is that claims do not run in parallel
/// with each other (they are short: a few index reads and one UPDATE).
/// </para>
/// </summary>
public sealed partial class PostgresStore
{
    // Bounds the candidates one claim looks at when limits turn many of them down.
    private const int MaxCandidatesScanned = 4096;

    public Task<IReadOnlyList<RunRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken) =>
        Write<IReadOnlyList<RunRecord>>(async scope =>
        {
            if (request.MaxRuns <= 0)
            {
                return [];
            }
            await scope.Execute("SELECT pg_advisory_xact_lock(hashtext('kairos.claim.' || @schema))", ("schema", _schema));
            var chosen = await ChooseClaimable(scope, request);
            return chosen.Count == 0 ? [] : await MarkRunning(scope, request, chosen);
        }, cancellationToken);

    private static async Task<List<Candidate>> ChooseClaimable(PgScope scope, ClaimRequest request)
    {
        var chosen = new List<Candidate>(request.MaxRuns);
        RunLimitCounter? running = null;
        var scanned = 0;
        var after = (Priority: long.MaxValue, Due: long.MinValue, Id: long.MinValue);
        var pageSize = request.MaxRuns;
        while (chosen.Count < request.MaxRuns && scanned < MaxCandidatesScanned)
        {
            var page = await scope.Query(
                """
                SELECT r.id, r.job_name, r.queue, r.executor_kind, j.max_instances, j.version, r.priority, r.due_at
                FROM runs r JOIN jobs j ON j.name = r.job_name
                WHERE r.state = 'queued' AND NOT r.held AND r.due_at <= @now
                  AND (r.priority < @afterPriority OR (r.priority = @afterPriority AND (r.due_at, r.id) > (@afterDue, @afterId)))
                ORDER BY r.priority DESC, r.due_at, r.id
                LIMIT @limit
                FOR UPDATE OF r SKIP LOCKED
                """,
                r => new Candidate(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), PostgresRows.Long(r, 4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7)),
                ("now", Ms(request.Now)), ("afterPriority", after.Priority), ("afterDue", after.Due), ("afterId", after.Id), ("limit", pageSize));
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
                running ??= await RunningCounts(scope);
                if (running.TryTake(candidate.JobName, candidate.Queue, candidate.ExecutorKind, candidate.MaxInstances, request))
                {
                    chosen.Add(candidate);
                }
            }
            if (page.Count < pageSize)
            {
                break;
            }
            after = (page[^1].Priority, page[^1].DueAt, page[^1].Id);
            pageSize = Math.Min(2 * pageSize, 512);
        }
        return chosen;
    }

    private static bool LimitsApply(Candidate candidate, ClaimRequest request) =>
        candidate.MaxInstances is not null
        || request.QueueLimits.ContainsKey(candidate.Queue)
        || request.ExecutorKindLimits.ContainsKey(candidate.ExecutorKind);

    private async Task<List<RunRecord>> MarkRunning(PgScope scope, ClaimRequest request, List<Candidate> chosen)
    {
        var ids = chosen.Select(c => c.Id).ToArray();
        var byId = (await scope.Query(
            $"""
            UPDATE runs SET state = 'running', attempt = attempt + 1, started_at = @now, finished_at = NULL,
                lease_owner = @owner, lease_expires_at = @lease, cancel_requested = false
            WHERE id = ANY(@ids) RETURNING {PostgresRows.RunColumns}
            """,
            PostgresRows.Run,
            ("now", Ms(request.Now)), ("owner", request.Owner), ("lease", Ms(request.LeaseExpiresAt)), ("ids", ids))).ToDictionary(r => r.Id);

        // One run.started entry per run, in claim order, as {"attempt":N}.
        var runs = chosen.Select(c => byId[c.Id] with { JobVersion = c.JobVersion }).ToList();
        await scope.Execute(
            """
            INSERT INTO journal (at, kind, job_name, run_id, trigger_id, node, data)
            SELECT @at, 'run.started', r.job_name, r.id, r.trigger_id, @node, '{"attempt":' || r.attempt || '}'
            FROM unnest(@ids) WITH ORDINALITY AS claimed(id, ord) JOIN runs r ON r.id = claimed.id
            ORDER BY claimed.ord
            """,
            ("at", Ms(request.Now)), ("node", _node), ("ids", ids));
        return runs;
    }

    private static async Task<RunLimitCounter> RunningCounts(PgScope scope)
    {
        var counter = new RunLimitCounter();
        foreach (var (job, queue, kind, count) in await scope.Query(
            "SELECT job_name, queue, executor_kind, COUNT(*) FROM runs WHERE state = 'running' GROUP BY job_name, queue, executor_kind",
            r => (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3))))
        {
            counter.Add(job, queue, kind, count);
        }
        return counter;
    }

    private sealed record Candidate(long Id, string JobName, string Queue, string ExecutorKind, long? MaxInstances, long JobVersion, long Priority, long DueAt);

}
