using System.Text.Json;
using Kairos.Engine.Enqueueing;
using Kairos.Engine.Lifecycle;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Scheduling;

/// <summary>
/// A time trigger's overlap policy (<see cref="TriggerSpec.Overlap"/>): what a fire does while the
/// previous run of that trigger is still queued or running. Invariants:
/// <list type="bullet">
/// <item>"The trigger's runs" are those with its trigger id; only queued and running ones count.</item>
/// <item>A run that waits (buffer-one, buffer-all, cancel-other) is a queued run due at
/// <see cref="WaitingUntil"/>, journaled <c>run.buffered</c>: no claim reaches it. When the trigger's
/// last other active run ends (<see cref="AfterRunEndedAsync"/>), its oldest waiting run becomes due
/// at once (<c>run.unbuffered</c>), so waiting runs start one at a time, in fire order.</item>
/// <item>Deciding to wait and releasing on an end both take the job's row lock and read the trigger's
/// runs after it, so across nodes one sees the other's commit: a fire never waits behind a run
/// whose end has already looked for waiting runs. A fire also releases a waiting run when nothing
/// else of its trigger is active, which mends any release missed (a policy edited meanwhile).</item>
/// <item>Locks are taken run rows first, then the job's row, as completions take them: cancel-other
/// locks the runs it cancels before it locks the job.</item>
/// <item>Set on a trigger, the policy replaces the job's <c>concurrency.onOverlap</c> for its runs
/// (<c>maxInstances</c> still limits the claim); not set, <see cref="RunEnqueuer"/> applies the job's.</item>
/// <item>A run the policy lets in, at once or to wait, then passes the job's flow rules as any run
/// does (<see cref="RunEnqueuer.QueueAsync"/>): a rate limit or singleton may still skip it.</item>
/// <item>Every decision is journaled with the trigger id and the reason: <c>run.skipped</c>,
/// <c>run.buffered</c>, <c>run.cancelled</c> / <c>run.cancel-requested</c> of the other run.</item>
/// </list>
/// </summary>
internal static class TriggerOverlaps
{
    /// <summary>The due time of a waiting run: far enough that the claim never reaches it.</summary>
    public static readonly DateTimeOffset WaitingUntil = new(9999, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Whether runs of a trigger with this policy may wait for the one before them to end.</summary>
    public static bool MayWait(TriggerOverlap? policy) =>
        policy is TriggerOverlap.BufferOne or TriggerOverlap.BufferAll or TriggerOverlap.CancelOther or TriggerOverlap.TerminateOther;

    /// <summary>Enqueues one run of a time trigger's fire under the trigger's policy (null: the job's own overlap rule).</summary>
    public static async ValueTask<EnqueueResult> EnqueueAsync(IDriverTransaction tx, RunRequest request, TriggerOverlap? policy, DateTimeOffset now)
    {
        if (policy is not { } overlap || request.TriggerId is not { } triggerId)
        {
            return await RunEnqueuer.EnqueueAsync(tx, request, now).ConfigureAwait(false);
        }
        if (request.IdempotencyKey is { } key && await tx.FindRunByIdempotencyKeyAsync(request.JobName, key).ConfigureAwait(false) is { } earlier)
        {
            return earlier; // This tick was fired already: nothing to decide again.
        }
        var job = await tx.GetJobSettingsAsync(request.JobName).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"job '{request.JobName}' does not exist");
        var name = Wire(overlap);
        if (overlap == TriggerOverlap.AllowAll)
        {
            return await RunEnqueuer.QueueAsync(tx, request, job, now).ConfigureAwait(false);
        }
        var active = await tx.ListActiveRunsOfTriggerAsync(request.JobName, triggerId).ConfigureAwait(false);
        if (overlap is TriggerOverlap.CancelOther or TriggerOverlap.TerminateOther)
        {
            foreach (var other in active)
            {
                await RunControl.CancelOneAsync(tx, other.Id, now, $"overlap {name}: trigger {triggerId} fired again").ConfigureAwait(false);
            }
        }
        if (MayWait(overlap))
        {
            await tx.LockJobAsync(request.JobName).ConfigureAwait(false);
            active = await tx.ListActiveRunsOfTriggerAsync(request.JobName, triggerId).ConfigureAwait(false);
            if (await ReleaseNextAsync(tx, request.JobName, triggerId, active, now, "nothing else of the trigger was queued or running when it fired again").ConfigureAwait(false) is { } released)
            {
                active = [.. active.Select(r => r.Id == released ? r with { DueAt = now } : r)];
            }
        }
        var waiting = active.Where(IsWaiting).ToList();
        if (active.Count == 0)
        {
            return await RunEnqueuer.QueueAsync(tx, request, job, now).ConfigureAwait(false);
        }
        var ahead = active[^1]; // In fire order: the run this one would follow.
        if (overlap == TriggerOverlap.Skip || (overlap == TriggerOverlap.BufferOne && waiting.Count > 0))
        {
            var reason = overlap == TriggerOverlap.Skip
                ? $"overlap skip: run {ahead.Id} of trigger {triggerId} is still {(IsWaiting(ahead) ? "waiting" : ahead.State.ToWire())}"
                : $"overlap buffer-one: run {waiting[0].Id} of trigger {triggerId} already waits";
            return await RunEnqueuer.InsertAsync(tx, request, job, RunState.Skipped, now, "run.skipped", reason).ConfigureAwait(false);
        }
        return await RunEnqueuer.QueueAsync(tx, request, job, now,
            new Waiting("run.buffered", $"overlap {name}: waits for run {ahead.Id} of trigger {triggerId} to end", WaitingUntil)).ConfigureAwait(false);
    }

    /// <summary>
    /// A run of the trigger left the queued-or-running states (finished, or cancelled while queued):
    /// when no other run of the trigger is active, its oldest waiting run becomes due now.
    /// </summary>
    public static async ValueTask AfterRunEndedAsync(IDriverTransaction tx, string jobName, long triggerId, long endedRunId, DateTimeOffset now)
    {
        await tx.LockJobAsync(jobName).ConfigureAwait(false);
        var active = await tx.ListActiveRunsOfTriggerAsync(jobName, triggerId).ConfigureAwait(false);
        await ReleaseNextAsync(tx, jobName, triggerId, active, now, $"run {endedRunId} of trigger {triggerId} ended").ConfigureAwait(false);
    }

    /// <summary>Releases the oldest waiting run when none of <paramref name="active"/> is at work; returns its id.</summary>
    private static async ValueTask<long?> ReleaseNextAsync(IDriverTransaction tx, string jobName, long triggerId, IReadOnlyList<TriggerRun> active, DateTimeOffset now, string reason)
    {
        if (active.Any(r => !IsWaiting(r)))
        {
            return null;
        }
        foreach (var run in active)
        {
            // False: it was cancelled meanwhile (a cancel holds the run's row, not the job's); try the next.
            if (await tx.MoveQueuedRunAsync(run.Id, WaitingUntil, now).ConfigureAwait(false))
            {
                await tx.AppendJournalAsync(now, "run.unbuffered", jobName, run.Id, triggerId,
                    JsonSerializer.Serialize(new { dueAt = now, reason }, KairosJson.Options)).ConfigureAwait(false);
                return run.Id;
            }
        }
        return null;
    }

    private static bool IsWaiting(TriggerRun run) => run.State == RunState.Queued && run.DueAt == WaitingUntil;

    private static string Wire(TriggerOverlap overlap) => JsonNamingPolicy.KebabCaseLower.ConvertName(overlap.ToString());
}
