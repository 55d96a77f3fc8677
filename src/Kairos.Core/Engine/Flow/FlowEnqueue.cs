using Kairos.Configuration;
using Kairos.Engine.Enqueueing;
using Kairos.Engine.Lifecycle;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Flow;

/// <summary>
/// The enqueue-time flow rules of a job that declares any (<see cref="JobDefinition.Flow"/>), run by
/// <see cref="RunEnqueuer"/> inside its transaction, after the idempotency, de-duplication and
/// overlap rules, for a run that would be queued:
/// <list type="number">
/// <item><b>debounce</b>: while the run made for the key is queued, a request gives it its payload
/// and moves it to <c>period</c> after now (at most <c>timeout</c> after the first request), journaled
/// <c>run.debounced</c>; otherwise the request makes that run, due a period later;</item>
/// <item><b>batch</b>: while the run made for the key is queued and not full, a request adds its
/// payload to the run's (a JSON list), journaled <c>run.batched</c>; the run is due
/// <c>timeout</c> after its first request, or at once when it holds <c>maxSize</c>; otherwise the
/// request makes that run, its payload a list of one;</item>
/// <item><b>rate limit</b> (GCRA, as Inngest's): with <c>T = period / limit</c>, a key's stored time
/// moves to <c>max(time, now) + T</c> per run; a run that would move it more than one period past
/// now is recorded as skipped (journaled <c>run.skipped</c>, reason), and does not count;</item>
/// <item><b>singleton</b>: while the run last queued for the key is queued or running, a new one
/// is skipped (<c>skip</c>), or the old one is cancelled through the normal cancel path
/// (<c>cancel</c>; a running one is asked to stop) and the new one queued;</item>
/// <item><b>throttle</b> (GCRA): with <c>T = period / limit</c> and <c>τ = (burst − 1) · T</c>, a
/// run is due no earlier than the key's stored time − τ, which then moves to
/// <c>max(time, due) + T</c>: at most <c>burst</c> runs at once, then one per <c>T</c>, in
/// enqueue order; none is dropped;</item>
/// <item><b>concurrency keys</b>: the run's key values are stored with it for the claim
/// (<see cref="ConcurrencySlots"/>).</item>
/// </list>
/// State per key lives in the flow_state table; the job's row is locked first
/// (<see cref="IDriverTransaction.LockJobAsync"/>), so nodes deciding for the same job take turns.
/// A job with only concurrency keys takes no lock and reads no state.
/// </summary>
internal static class FlowEnqueue
{
    /// <summary>Decides for <paramref name="request"/>; <paramref name="waiting"/>: a run that waits for its trigger's previous one (<see cref="RunEnqueuer.QueueAsync"/>), neither gathered nor throttled.</summary>
    public static async ValueTask<EnqueueResult> EnqueueAsync(IDriverTransaction tx, RunRequest request, JobSettings job, FlowControl flow, DateTimeOffset now, Waiting? waiting = null)
    {
        var name = request.JobName;
        var payload = request.Payload; // Keys are read from the request's payload, whatever the run's becomes.
        var writes = new List<(string Key, DateTimeOffset At)>();
        DateTimeOffset? due = null;
        string? reason = null;
        string? singletonKey = null;
        string? gatheringKey = null;
        if (flow.RateLimit is not null || flow.Singleton is not null || flow.Throttle is not null || flow.Debounce is not null || flow.Batch is not null)
        {
            await LockStateRunsAsync(tx, name, flow, payload).ConfigureAwait(false);
            await tx.LockJobAsync(name).ConfigureAwait(false);
        }
        if (flow.Debounce is { } debounce && waiting is null)
        {
            gatheringKey = FlowKeys.For(name, "debounce", debounce.Key, payload);
            if (await Gathering.DebounceAsync(tx, request, debounce, await tx.GetFlowStateAsync(gatheringKey).ConfigureAwait(false), now).ConfigureAwait(false) is { } debounced)
            {
                Observability.KairosMetrics.FlowWaits(name, "debounce");
                return debounced;
            }
            request = request with { NotBefore = Max(request.NotBefore ?? now, now + debounce.Period) };
        }
        if (flow.Batch is { } batch && waiting is null)
        {
            gatheringKey = FlowKeys.For(name, "batch", batch.Key, payload);
            if (await Gathering.BatchAsync(tx, request, batch, gatheringKey, await tx.GetFlowStateAsync(gatheringKey).ConfigureAwait(false), now).ConfigureAwait(false) is { } batched)
            {
                Observability.KairosMetrics.FlowWaits(name, "batch");
                return batched;
            }
            request = request with
            {
                Payload = "[" + (payload ?? "null") + "]",
                NotBefore = batch.MaxSize == 1 ? request.NotBefore : Max(request.NotBefore ?? now, now + batch.Timeout),
            };
        }
        if (flow.RateLimit is { } rate)
        {
            var key = FlowKeys.For(name, "rateLimit", rate.Key, payload);
            var next = Later(await tx.GetFlowStateAsync(key).ConfigureAwait(false), now) + rate.Period / rate.Limit;
            if (next - now > rate.Period)
            {
                Observability.KairosMetrics.FlowWaits(name, "rateLimit");
                return await Skip(tx, request, job, now, $"rate limit: at most {rate.Limit} run(s) per {Durations.Format(rate.Period)}{Of(rate.Key)}").ConfigureAwait(false);
            }
            writes.Add((key, next));
        }
        if (flow.Singleton is { } singleton)
        {
            singletonKey = FlowKeys.For(name, "singleton", singleton.Key, payload);
            if (await tx.GetFlowStateAsync(singletonKey).ConfigureAwait(false) is { RunId: { } previous }
                && await tx.GetRunSummaryAsync(previous).ConfigureAwait(false) is { State: RunState.Queued or RunState.Running } active)
            {
                if (singleton.Mode == SingletonMode.Skip)
                {
                    Observability.KairosMetrics.FlowWaits(name, "singleton");
                    return await Skip(tx, request, job, now, $"singleton: run {previous} is {active.State.ToWire()}{Of(singleton.Key)}").ConfigureAwait(false);
                }
                await CancelAsync(tx, previous, now, $"singleton: replaced by a newer run{Of(singleton.Key)}").ConfigureAwait(false);
            }
        }
        if (flow.Throttle is { } throttle && waiting is null)
        {
            var key = FlowKeys.For(name, "throttle", throttle.Key, payload);
            var spacing = throttle.Period / throttle.Limit;
            var wanted = request.NotBefore ?? now;
            var theoretical = Later(await tx.GetFlowStateAsync(key).ConfigureAwait(false), wanted);
            var earliest = theoretical - (throttle.Burst - 1) * spacing;
            if (earliest > wanted)
            {
                Observability.KairosMetrics.FlowWaits(name, "throttle");
                due = earliest;
                reason = $"throttle: at most {throttle.Limit} run(s) per {Durations.Format(throttle.Period)}{Of(throttle.Key)}";
            }
            writes.Add((key, theoretical + spacing)); // theoretical ≥ the run's due time, whichever it is.
        }

        var result = await RunEnqueuer.InsertAsync(tx, request, job, RunState.Queued, now, waiting?.Kind ?? "run.enqueued", waiting?.Reason ?? reason, waiting?.DueAt ?? due,
            ConcurrencySlots.Encode(name, flow, payload)).ConfigureAwait(false);
        if (!result.Created)
        {
            return result; // Its idempotency key was taken meanwhile: that run stands, and nothing was counted.
        }
        foreach (var (key, at) in writes)
        {
            await tx.SetFlowStateAsync(key, new FlowState(at, null)).ConfigureAwait(false);
        }
        if (singletonKey is not null)
        {
            await tx.SetFlowStateAsync(singletonKey, new FlowState(now, result.RunId)).ConfigureAwait(false);
        }
        if (gatheringKey is not null && flow.Batch is not { MaxSize: 1 })
        {
            await tx.SetFlowStateAsync(gatheringKey, new FlowState(now, result.RunId)).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>
    /// Holds the rows of the runs the singleton and gathering state name before the job's row is
    /// locked. Completions, cancels and rescues hold a run's row and then take its job's (to release a
    /// buffered run): taking them here in the other order could deadlock on PostgreSQL.
    /// </summary>
    private static async ValueTask LockStateRunsAsync(IDriverTransaction tx, string name, FlowControl flow, string? payload)
    {
        var keys = new[]
        {
            flow.Singleton is { } s ? FlowKeys.For(name, "singleton", s.Key, payload) : null,
            flow.Debounce is { } d ? FlowKeys.For(name, "debounce", d.Key, payload) : null,
            flow.Batch is { } b ? FlowKeys.For(name, "batch", b.Key, payload) : null,
        };
        foreach (var key in keys.OfType<string>())
        {
            if (await tx.GetFlowStateAsync(key).ConfigureAwait(false) is { RunId: { } runId })
            {
                _ = await tx.GetRunSummaryAsync(runId).ConfigureAwait(false); // Locks the row on PostgreSQL.
            }
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Later(FlowState? state, DateTimeOffset now) => state is { At: var at } && at > now ? at : now;

    private static string Of(string? key) => key is null ? "" : $" for key {key}";

    private static ValueTask<EnqueueResult> Skip(IDriverTransaction tx, RunRequest request, JobSettings job, DateTimeOffset now, string reason) =>
        RunEnqueuer.InsertAsync(tx, request, job, RunState.Skipped, now, "run.skipped", reason);

    private static async ValueTask CancelAsync(IDriverTransaction tx, long runId, DateTimeOffset now, string reason)
    {
        var (result, run) = await RunControl.CancelOneAsync(tx, runId, now, reason).ConfigureAwait(false);
        if (result == CancelResult.Cancelled && run!.TriggerId is { } triggerId)
        {
            await Scheduling.TriggerOverlaps.AfterRunEndedAsync(tx, run.JobName, triggerId, runId, now).ConfigureAwait(false);
        }
    }
}
