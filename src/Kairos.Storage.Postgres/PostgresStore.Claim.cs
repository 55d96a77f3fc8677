using Kairos.Engine.Claiming;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Claim, for one owner among several nodes: the rules are <see cref="RunClaims"/>'s; the reads and
/// writes are here.
/// <para>
/// Concurrency: candidates are read page by page in claim order with <c>FOR UPDATE OF r SKIP
/// LOCKED</c>, so runs another node is claiming, completing, cancelling or rescuing are passed over
/// rather than waited on, and claims run in parallel. Limits (job max_instances, queue and
/// executor-kind limits) count the running runs of every owner, which row locks alone cannot
/// protect (two nodes could each miss the other's uncommitted claims and both go over a limit); so
/// a claim that meets a limit first takes one transaction-scoped advisory lock keyed by the schema,
/// and counts only once it holds it: such claims take turns, each after the previous committed.
/// </para>
/// </summary>
internal sealed partial class PostgresStore
{
    public Task<IReadOnlyList<RunRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken) =>
        Write(async scope => await RunClaims.ClaimAsync(new Transaction(this, scope), request), cancellationToken);

    // Two settings for this transaction only, sent with the candidates' read.
    // enable_sort off: the candidates must come from walking ix_runs_claim_order (stopping at the
    // page size), never from sorting every queued run. The planner picks the sort when its
    // statistics say few runs are queued — a fresh table, or one last analyzed while the queue was
    // short, i.e. at the start of a burst — and then each claim costs ~20 ms at 20,000 queued runs
    // instead of ~0.3 ms.
    // synchronous_commit off: a claim does not wait for its WAL flush (~3.5 ms on this machine's
    // disk, and the claim is on every run's path). Nothing accepted can be lost by it: the runs were
    // queued durably before, and a claim lost with a crashed server leaves them queued, to run again
    // — the at-least-once duplicate of a run in flight that a crashed node already allows. Any later
    // synchronous commit (the run's outcome, at the latest) flushes the WAL up to and past the claim,
    // so an outcome is never durable without the claim before it.
    private static void BeginClaim(PgScope scope)
    {
        scope.Defer("SET LOCAL enable_sort = off");
        scope.Defer("SET LOCAL synchronous_commit = off");
    }

    private static async Task<IReadOnlyList<ClaimCandidate>> ReadClaimCandidates(PgScope scope, DateTimeOffset now, ClaimCandidate? after, int limit) =>
        await scope.Query(
            """
            SELECT r.id, r.job_name, r.queue, r.executor_kind, j.max_instances, j.version, r.priority, r.due_at, r.flow_keys, r.attempt, r.trigger_id
            FROM runs r JOIN jobs j ON j.name = r.job_name
            WHERE r.state = 'queued' AND NOT r.held AND r.due_at <= @now
              AND (r.priority < @afterPriority OR (r.priority = @afterPriority AND (r.due_at, r.id) > (@afterDue, @afterId)))
            ORDER BY r.priority DESC, r.due_at, r.id
            LIMIT @limit
            FOR UPDATE OF r SKIP LOCKED
            """,
            r => new ClaimCandidate(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), PostgresRows.Long(r, 4), r.GetInt64(5), (int)r.GetInt64(6), Time(r.GetInt64(7)))
            {
                FlowKeys = r.IsDBNull(8) ? null : r.GetString(8),
                Attempt = (int)r.GetInt64(9),
                TriggerId = PostgresRows.Long(r, 10),
            },
            ("now", Ms(now)), ("afterPriority", (long?)after?.Priority ?? long.MaxValue), ("afterDue", after is null ? long.MinValue : Ms(after.DueAt)),
            ("afterId", after?.Id ?? long.MinValue), ("limit", limit));

    private Task LockClaimLimits(PgScope scope) =>
        scope.Execute("SELECT pg_advisory_xact_lock(hashtext('kairos.claim.' || @schema))", ("schema", _schema));

    private static async Task<IReadOnlyList<RunningCount>> CountRunningRuns(PgScope scope) =>
        await scope.Query("SELECT job_name, queue, executor_kind, COUNT(*) FROM runs WHERE state = 'running' GROUP BY job_name, queue, executor_kind",
            r => new RunningCount(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3)));

    private static async Task<IReadOnlyList<RunRecord>> MarkClaimed(PgScope scope, IReadOnlyList<RunStart> starts, string owner, DateTimeOffset leaseExpiresAt)
    {
        var byId = (await scope.Query(
            $"""
            UPDATE runs SET state = 'running', attempt = attempt + 1, started_at = s.start_ms, finished_at = NULL,
                lease_owner = @owner, lease_expires_at = @lease, cancel_requested = false
            FROM unnest(@ids, @startedAt) AS s(run, start_ms)
            WHERE runs.id = s.run RETURNING {PostgresRows.RunColumns}
            """,
            PostgresRows.Run,
            ("owner", owner), ("lease", Ms(leaseExpiresAt)), ("ids", starts.Select(s => s.Id).ToArray()),
            ("startedAt", starts.Select(s => Ms(s.StartedAt)).ToArray()))).ToDictionary(r => r.Id);
        return starts.Select(s => byId[s.Id]).ToList();
    }
}
