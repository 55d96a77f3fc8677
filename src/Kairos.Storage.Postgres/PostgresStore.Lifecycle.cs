using System.Text.Json;
using Kairos.Model;

namespace Kairos.Storage.Postgres;

/// <summary>Leases, completion, rescue, cancel and manual retry: the running half of the run lifecycle.</summary>
public sealed partial class PostgresStore
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

    /// <summary>Completions arriving together are written together (see <see cref="CompleteManyAsync"/>).</summary>
    public Task<bool> CompleteAsync(RunCompletion completion, CancellationToken cancellationToken) => _completions.WriteAsync(completion);

    private Task<bool> CompleteOneAsync(RunCompletion completion) =>
        Write(async scope =>
        {
            var (state, kind) = CompletionState(completion);
            var row = (await scope.Query(
                """
                UPDATE runs SET state = @state, output = @output::text, error = @error::text, due_at = COALESCE(@retryAt::bigint, due_at),
                    finished_at = CASE WHEN @state = 'queued' THEN NULL ELSE @now END,
                    lease_owner = NULL, lease_expires_at = NULL, cancel_requested = false
                WHERE id = @id AND state = 'running' AND lease_owner = @owner
                RETURNING job_name, trigger_id, attempt, started_at
                """,
                r => (Job: r.GetString(0), Trigger: PostgresRows.Long(r, 1), Attempt: r.GetInt64(2), StartedAt: PostgresRows.Long(r, 3)),
                ("state", state.ToWire()), ("output", completion.Output), ("error", completion.Error), ("retryAt", Ms(completion.RetryAt)),
                ("now", Ms(completion.FinishedAt)), ("id", completion.RunId), ("owner", completion.Owner))).ToList();
            if (row.Count == 0)
            {
                return false; // The lease was lost (rescued by another node): that node now owns the outcome.
            }
            var (job, trigger, attempt, startedAt) = row[0];
            var data = CompletionNote(completion, attempt, startedAt);
            if (state == RunState.Dead)
            {
                await Journal(scope, completion.FinishedAt, "run.failed", job, completion.RunId, trigger, data);
            }
            await Journal(scope, completion.FinishedAt, kind, job, completion.RunId, trigger, data);
            await InsertLog(scope, completion.RunId, completion.Log);
            if (state != RunState.Queued)
            {
                await PublishRunFinished(scope, completion.RunId, completion.FinishedAt);
            }
            else
            {
                scope.Announce(StoreChanges.Runs); // A retry, due later: other nodes learn when.
            }
            return true;
        }, CancellationToken.None);

    /// <summary>
    /// Many completions in one transaction and a handful of statements: one UPDATE over all the
    /// runs (each only if its owner still holds it), one journal INSERT, one log INSERT; run.*
    /// events only for runs some subscription listens to. The same rows and entries as
    /// <see cref="CompleteOneAsync"/> writes for each.
    /// </summary>
    private Task<IReadOnlyList<bool>> CompleteManyAsync(IReadOnlyList<RunCompletion> completions) =>
        Write<IReadOnlyList<bool>>(async scope =>
        {
            var states = completions.Select(c => CompletionState(c).State.ToWire()).ToArray();
            var rows = (await scope.Query(
                """
                UPDATE runs r SET state = c.state, output = c.output, error = c.error, due_at = COALESCE(c.retry_at, r.due_at),
                    finished_at = CASE WHEN c.state = 'queued' THEN NULL ELSE c.finished_at END,
                    lease_owner = NULL, lease_expires_at = NULL, cancel_requested = false
                FROM unnest(@ids, @states, @outputs::text[], @errors::text[], @retryAt::bigint[], @finishedAt, @owners)
                    AS c(id, state, output, error, retry_at, finished_at, owner)
                WHERE r.id = c.id AND r.state = 'running' AND r.lease_owner = c.owner
                RETURNING r.id, r.job_name, r.trigger_id, r.attempt, r.started_at
                """,
                r => (Id: r.GetInt64(0), Job: r.GetString(1), Trigger: PostgresRows.Long(r, 2), Attempt: r.GetInt64(3), StartedAt: PostgresRows.Long(r, 4)),
                ("ids", completions.Select(c => c.RunId).ToArray()), ("states", states),
                ("outputs", completions.Select(c => c.Output).ToArray()), ("errors", completions.Select(c => c.Error).ToArray()),
                ("retryAt", completions.Select(c => Ms(c.RetryAt)).ToArray()), ("finishedAt", completions.Select(c => Ms(c.FinishedAt)).ToArray()),
                ("owners", completions.Select(c => c.Owner).ToArray()))).ToDictionary(r => r.Id);

            var journal = new List<Drivers.JournalWrite>();
            var done = new List<RunCompletion>();
            foreach (var completion in completions)
            {
                if (!rows.TryGetValue(completion.RunId, out var row))
                {
                    continue; // Its lease was lost: whoever rescued it owns the outcome.
                }
                done.Add(completion);
                var (state, kind) = CompletionState(completion);
                var data = CompletionNote(completion, row.Attempt, row.StartedAt);
                if (state == RunState.Dead)
                {
                    journal.Add(new(completion.FinishedAt, "run.failed", row.Job, completion.RunId, row.Trigger, data));
                }
                journal.Add(new(completion.FinishedAt, kind, row.Job, completion.RunId, row.Trigger, data));
            }
            await JournalMany(scope, journal);
            var lines = done.SelectMany(c => c.Log.Select(l => (c.RunId, Line: l))).ToList();
            if (lines.Count > 0)
            {
                await scope.Execute(
                    "INSERT INTO run_logs (run_id, at, stream, text) SELECT l.run, l.at, l.stream, l.text FROM unnest(@runs, @at, @stream, @text) WITH ORDINALITY AS l(run, at, stream, text, ord) ORDER BY l.ord",
                    ("runs", lines.Select(l => l.RunId).ToArray()), ("at", lines.Select(l => Ms(l.Line.At)).ToArray()),
                    ("stream", lines.Select(l => l.Line.Stream).ToArray()), ("text", lines.Select(l => l.Line.Text).ToArray()));
            }
            var finished = done.Where(c => CompletionState(c).State != RunState.Queued).ToList();
            if (finished.Count > 0 && await ActiveSubscriptions(scope) is { Count: > 0 } subscriptions)
            {
                foreach (var completion in finished)
                {
                    await PublishRunFinished(scope, completion.RunId, completion.FinishedAt, subscriptions); // Read once for the batch.
                }
            }
            if (finished.Count < done.Count)
            {
                scope.Announce(StoreChanges.Runs); // Retries, due later: other nodes learn when.
            }
            return completions.Select(c => rows.ContainsKey(c.RunId)).ToList();
        }, CancellationToken.None);

    private static (RunState State, string Kind) CompletionState(RunCompletion completion) => completion.Outcome switch
    {
        RunOutcome.Succeeded => (RunState.Succeeded, "run.succeeded"),
        RunOutcome.Cancelled => (RunState.Cancelled, "run.cancelled"),
        _ when completion.RetryAt is not null => (RunState.Queued, "run.failed"),
        _ => (RunState.Dead, "run.dead"),
    };

    /// <summary>{"attempt", "durationMs", "error", "retryAt"}, nulls left out: the same entry as the SQLite store's.</summary>
    private static string CompletionNote(RunCompletion completion, long attempt, long? startedAt) =>
        JsonSerializer.Serialize(new
        {
            attempt,
            durationMs = Ms(completion.FinishedAt) - startedAt,
            error = completion.Error,
            retryAt = completion.RetryAt,
        }, KairosJson.Options);

    public Task AppendRunLogAsync(long runId, IReadOnlyList<RunLogLine> lines, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            await InsertLog(scope, runId, lines);
            return true;
        }, cancellationToken);

    private static async Task InsertLog(PgScope scope, long runId, IReadOnlyList<RunLogLine> lines)
    {
        if (lines.Count == 0)
        {
            return;
        }
        await scope.Execute(
            """
            INSERT INTO run_logs (run_id, at, stream, text)
            SELECT @run, l.at, l.stream, l.text FROM unnest(@at, @stream, @text) WITH ORDINALITY AS l(at, stream, text, ord) ORDER BY l.ord
            """,
            ("run", runId), ("at", lines.Select(l => Ms(l.At)).ToArray()), ("stream", lines.Select(l => l.Stream).ToArray()),
            ("text", lines.Select(l => l.Text).ToArray()));
    }
}
