using System.Text.Json;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Enqueueing;

/// <summary>
/// The one way a run enters the queue, for every source (API, time triggers, webhooks, files, polls,
/// events, completions, replays) and every driver, inside the caller's transaction:
/// <list type="number">
/// <item>an idempotency key already used for the job returns that run;</item>
/// <item>a de-duplication key equal to a queued or running run of the same trigger returns that run
/// (journaled <c>run.deduplicated</c>);</item>
/// <item>a job that skips overlapping runs records the run as skipped while it has
/// <c>maxInstances</c> active runs (journaled <c>run.skipped</c>);</item>
/// <item>a job with flow control takes its priority from the payload when it says so
/// (<see cref="Flow.RunPriority"/>) and goes through its rules (<see cref="Flow.FlowEnqueue"/>: rate limit,
/// singleton, throttle, concurrency keys, debounce, batch; <see cref="QueueAsync"/>, where a time
/// trigger's overlap policy, <see cref="Scheduling.TriggerOverlaps"/>, joins this path too);</item>
/// <item>otherwise the run is queued with the job's queue, executor kind, priority and attempts,
/// held while the job is paused, and journaled <c>run.enqueued</c>.</item>
/// </list>
/// </summary>
internal static class RunEnqueuer
{
    public static async ValueTask<EnqueueResult> EnqueueAsync(IDriverTransaction tx, RunRequest request, DateTimeOffset now)
    {
        if (request.IdempotencyKey is { } key && await tx.FindRunByIdempotencyKeyAsync(request.JobName, key).ConfigureAwait(false) is { } earlier)
        {
            return earlier;
        }
        if (request.DedupeKey is { } dedupe && request.TriggerId is { } triggerId
            && await tx.FindActiveRunByDedupeKeyAsync(triggerId, dedupe).ConfigureAwait(false) is { } same)
        {
            await tx.AppendJournalAsync(now, "run.deduplicated", request.JobName, same.RunId, triggerId, JsonSerializer.Serialize(
                new { source = request.Source, dedupeKey = dedupe, reason = "the same context is already queued or running" }, KairosJson.Options)).ConfigureAwait(false);
            return same;
        }

        // The usual job, without an overlap rule: one statement takes its settings and inserts.
        if (await tx.InsertRunFromJobAsync(request, now).ConfigureAwait(false) is { } queued)
        {
            await tx.AppendJournalAsync(now, "run.enqueued", request.JobName, queued, request.TriggerId,
                JournalNotes.Enqueued(request, request.NotBefore ?? now, null)).ConfigureAwait(false);
            return new EnqueueResult(queued, true, RunState.Queued);
        }
        var job = await tx.GetJobSettingsAsync(request.JobName).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"job '{request.JobName}' does not exist");
        var state = RunState.Queued;
        string? skipReason = null;
        if (job.SkipsOverlaps)
        {
            // Locked first, so two nodes deciding "skipped or queued" for the same job take turns.
            await tx.LockJobAsync(request.JobName).ConfigureAwait(false);
            if (await tx.CountActiveRunsAsync(request.JobName).ConfigureAwait(false) >= job.MaxInstances)
            {
                state = RunState.Skipped;
                skipReason = $"job allows {job.MaxInstances} instance(s) at once and skips overlapping runs";
            }
        }
        return state == RunState.Skipped
            ? await InsertAsync(tx, request, job, state, now, "run.skipped", skipReason).ConfigureAwait(false)
            : await QueueAsync(tx, request, job, now).ConfigureAwait(false);
    }

    /// <summary>
    /// Queues a run the overlap rules let in (the job's, or a time trigger's policy), through the job's
    /// flow rules when it has any. <paramref name="waiting"/>: the run waits for the one before it
    /// (a trigger's buffered fire), journaled and due as it says; such a run passes the rules that
    /// admit runs (rate limit, singleton, concurrency keys, priority) but is not debounced, batched or
    /// throttled, which would time it too (<see cref="FlowRules.WithOverlap"/> refuses that combination).
    /// </summary>
    public static async ValueTask<EnqueueResult> QueueAsync(IDriverTransaction tx, RunRequest request, JobSettings job, DateTimeOffset now, Waiting? waiting = null)
    {
        if (job.Flow is not { } flow)
        {
            return await InsertAsync(tx, request, job, RunState.Queued, now, waiting?.Kind ?? "run.enqueued", waiting?.Reason, waiting?.DueAt).ConfigureAwait(false);
        }
        var rules = Flow.FlowKeys.Parse(flow);
        string? priorityNote = null;
        if (rules.Priority is { } template && request.Priority is null)
        {
            (request, priorityNote) = Flow.RunPriority.Apply(request, template, job.Priority);
        }
        var result = await Flow.FlowEnqueue.EnqueueAsync(tx, request, job, rules, now, waiting).ConfigureAwait(false);
        if (priorityNote is not null)
        {
            await tx.AppendJournalAsync(now, "run.priority-defaulted", request.JobName, result.RunId, request.TriggerId, priorityNote).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>
    /// Inserts the request's run in the state a rule decided (after looking up its idempotency key),
    /// journaled as <paramref name="kind"/> with <paramref name="reason"/>; <paramref name="dueAt"/>,
    /// when given, replaces the request's due time; <paramref name="flowKeys"/> are the run's
    /// concurrency keys (<see cref="Flow.ConcurrencySlots"/>).
    /// </summary>
    public static async ValueTask<EnqueueResult> InsertAsync(IDriverTransaction tx, RunRequest request, JobSettings job, RunState state, DateTimeOffset now,
        string kind, string? reason, DateTimeOffset? dueAt = null, string? flowKeys = null)
    {
        var run = NewRun.For(request, job, state, now) with { FlowKeys = flowKeys };
        if (dueAt is { } due)
        {
            run = run with { DueAt = due };
        }
        if (await tx.InsertRunAsync(run).ConfigureAwait(false) is not { } id)
        {
            // Another transaction used this idempotency key meanwhile, and has committed: its run stands.
            return await tx.FindRunByIdempotencyKeyAsync(request.JobName, request.IdempotencyKey!).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"run with idempotency key '{request.IdempotencyKey}' vanished");
        }
        await tx.AppendJournalAsync(now, kind, request.JobName, id, request.TriggerId, JournalNotes.Enqueued(request, run.DueAt, reason)).ConfigureAwait(false);
        return new EnqueueResult(id, true, state);
    }

    /// <summary>
    /// Several requests in one transaction (a group commit), each with its own time. Plain requests
    /// (no idempotency or de-duplication key, a job that does not skip overlapping runs and has no flow control) are inserted
    /// and journaled together, which a driver can do in a few statements; the others go one by one.
    /// A request for a job that does not exist throws, failing the whole transaction.
    /// </summary>
    public static async ValueTask<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IDriverTransaction tx, IReadOnlyList<(RunRequest Request, DateTimeOffset Now)> items)
    {
        var jobs = await tx.GetJobSettingsAsync(items.Select(i => i.Request.JobName).Distinct().ToList()).ConfigureAwait(false);
        var results = new EnqueueResult[items.Count];
        var plain = new List<(int Index, NewRun Run)>();
        for (var i = 0; i < items.Count; i++)
        {
            var (request, now) = items[i];
            if (request.IdempotencyKey is null && request.DedupeKey is null && jobs.TryGetValue(request.JobName, out var job) && !job.SkipsOverlaps && job.Flow is null)
            {
                plain.Add((i, NewRun.For(request, job, RunState.Queued, now)));
            }
            else
            {
                results[i] = await EnqueueAsync(tx, request, now).ConfigureAwait(false);
            }
        }
        if (plain.Count == 0)
        {
            return results;
        }
        var ids = await tx.InsertRunsAsync(plain.Select(p => p.Run).ToList()).ConfigureAwait(false);
        await tx.AppendJournalAsync(plain.Select((p, n) => new JournalWrite(p.Run.CreatedAt, "run.enqueued", p.Run.JobName, ids[n], p.Run.TriggerId,
            JournalNotes.Enqueued(items[p.Index].Request, p.Run.DueAt, null))).ToList()).ConfigureAwait(false);
        for (var n = 0; n < plain.Count; n++)
        {
            results[plain[n].Index] = new EnqueueResult(ids[n], true, RunState.Queued);
        }
        return results;
    }
}

/// <summary>How a run that waits for the one before it is queued: its journal entry (<paramref name="Kind"/>, <paramref name="Reason"/>) and due time.</summary>
internal sealed record Waiting(string Kind, string Reason, DateTimeOffset DueAt);
