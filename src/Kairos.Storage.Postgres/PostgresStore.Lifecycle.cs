using Kairos.Engine.Lifecycle;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Postgres;

/// <summary>Leases, completion, rescue, cancel and manual retry: the running half of the run lifecycle.</summary>
internal sealed partial class PostgresStore
{
    public Task<LeaseRenewal> RenewLeasesAsync(string owner, IReadOnlyCollection<long> runIds, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            var renewed = (await scope.Query(
                "UPDATE runs SET lease_expires_at = @lease WHERE id = ANY(@ids) AND state = 'running' AND lease_owner = @owner RETURNING id, cancel_requested",
                r => (Id: r.GetInt64(0), Cancel: r.GetBoolean(1)),
                ("lease", Ms(leaseExpiresAt)), ("ids", runIds.ToArray()), ("owner", owner))).ToDictionary(x => x.Id, x => x.Cancel);
            var cancel = new List<long>();
            var lost = new List<long>();
            foreach (var id in runIds)
            {
                if (!renewed.TryGetValue(id, out var flag))
                {
                    lost.Add(id);
                }
                else if (flag)
                {
                    cancel.Add(id);
                }
            }
            return new LeaseRenewal(cancel, lost);
        }, cancellationToken);

    /// <summary>
    /// Completions arriving together are committed together (<see cref="PgGroupCommit{TItem, TResult}"/>):
    /// one UPDATE over all their runs, one journal INSERT, one log INSERT; the rules are
    /// <see cref="RunCompletions"/>'s.
    /// </summary>
    public Task<bool> CompleteAsync(RunCompletion completion, CancellationToken cancellationToken) => _completions.WriteAsync(completion);

    private Task<bool> CompleteOneAsync(RunCompletion completion) =>
        Write(async scope => await RunCompletions.CompleteAsync(new Transaction(this, scope), completion), CancellationToken.None);

    private Task<IReadOnlyList<bool>> CompleteManyAsync(IReadOnlyList<RunCompletion> completions) =>
        Write(async scope => await RunCompletions.CompleteManyAsync(new Transaction(this, scope), completions), CancellationToken.None);

    /// <summary>Each run only if its owner still holds it, all in one statement.</summary>
    private static async Task<IReadOnlyList<CompletedRun?>> CompleteRuns(PgScope scope, IReadOnlyList<RunCompletion> completions, IReadOnlyList<RunState> states)
    {
        var rows = (await scope.Query(
            """
            UPDATE runs r SET state = c.state, output = c.output, error = c.error, due_at = COALESCE(c.retry_at, r.due_at),
                finished_at = CASE WHEN c.state IN ('queued', 'waiting') THEN NULL ELSE c.finished_at END,
                lease_owner = NULL, lease_expires_at = NULL, cancel_requested = false
            FROM unnest(@ids, @states, @outputs::text[], @errors::text[], @retryAt::bigint[], @finishedAt, @owners)
                AS c(id, state, output, error, retry_at, finished_at, owner)
            WHERE r.id = c.id AND r.state = 'running' AND r.lease_owner = c.owner
            RETURNING r.id, r.job_name, r.trigger_id, r.attempt, r.started_at
            """,
            r => (Id: r.GetInt64(0), Run: new CompletedRun(r.GetString(1), PostgresRows.Long(r, 2), (int)r.GetInt64(3), PostgresRows.Long(r, 4) is { } started ? Time(started) : null)),
            ("ids", completions.Select(c => c.RunId).ToArray()), ("states", states.Select(s => s.ToWire()).ToArray()),
            ("outputs", completions.Select(c => c.Output).ToArray()), ("errors", completions.Select(c => c.Error).ToArray()),
            ("retryAt", completions.Select(c => Ms(c.RetryAt)).ToArray()), ("finishedAt", completions.Select(c => Ms(c.FinishedAt)).ToArray()),
            ("owners", completions.Select(c => c.Owner).ToArray()))).ToDictionary(r => r.Id, r => r.Run);
        if (states.Where((state, i) => state == RunState.Queued && rows.ContainsKey(completions[i].RunId)).Any())
        {
            scope.Announce(StoreChanges.Runs); // Retries, due later: other nodes learn when.
        }
        return completions.Select(c => rows.GetValueOrDefault(c.RunId)).ToList();
    }

    public Task AppendRunLogAsync(long runId, IReadOnlyList<RunLogLine> lines, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            InsertLog(scope, runId, lines);
            return Task.FromResult(true);
        }, cancellationToken);

    private static void InsertLog(PgScope scope, long runId, IReadOnlyList<RunLogLine> lines) =>
        InsertLogs(scope, lines.Select(line => (runId, line)).ToList());

    // Sent with the transaction's next statement (see PgScope.Defer).
    private static void InsertLogs(PgScope scope, IReadOnlyList<(long RunId, RunLogLine Line)> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }
        scope.Defer(
            """
            INSERT INTO run_logs (run_id, at, stream, text)
            SELECT l.run, l.at, l.stream, l.text FROM unnest(@runs, @at, @stream, @text) WITH ORDINALITY AS l(run, at, stream, text, ord) ORDER BY l.ord
            """,
            ("runs", lines.Select(l => l.RunId).ToArray()), ("at", lines.Select(l => Ms(l.Line.At)).ToArray()),
            ("stream", lines.Select(l => l.Line.Stream).ToArray()), ("text", lines.Select(l => l.Line.Text).ToArray()));
    }
}
