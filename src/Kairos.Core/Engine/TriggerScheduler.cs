using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Engine.Services;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine;

/// <summary>
/// Fires time triggers. Invariants:
/// <list type="bullet">
/// <item>Each trigger stores its next fire time (indexed). The loop sleeps until <see cref="FireAhead"/>
/// before the earliest one (at most <see cref="MaxSleep"/>) or until told of a change; there is no polling tick.</item>
/// <item>A tick is fired up to <see cref="FireAhead"/> early: its runs are queued not before the
/// scheduled time, so the dispatcher finds them waiting when they fall due instead of waiting for the
/// fire. (A job paused within that window keeps the tick's run queued; it runs when resumed.)</item>
/// <item>A fire moves next_fire_at and enqueues the runs in one transaction, conditional on the
/// value read, and every run carries the idempotency key trigger:{id}:{time}: a tick fires at most once.</item>
/// <item>Misfires: fire times more than <see cref="KairosOptions.MisfireThreshold"/> old when seen
/// (the server was down or stalled) follow the trigger's policy: fire-once (one run for all of
/// them), fire-all (one run each, bounded), skip (none). Fires within the threshold are on time.</item>
/// <item>A paused job's triggers keep moving but enqueue nothing.</item>
/// </list>
/// </summary>
internal sealed class TriggerScheduler(
    IKairosStore store,
    JobCatalog jobs,
    KairosOptions options,
    TimeProvider time,
    Observability.KairosMetrics metrics,
    Action wakeDispatcher,
    Action stopCancelledRuns,
    ILogger logger)
    : EngineLoop("Trigger scheduler", time, logger), ILeaderService
{
    private const int BatchSize = 1000;

    /// <summary>How early a tick is fired: firing 1,000 triggers takes 50–130 ms on two busy cores.</summary>
    private static readonly TimeSpan FireAhead = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest sleep: a far tick is re-read now and then.</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromHours(1);

    /// <summary>Fires what is due, then sleeps until <see cref="FireAhead"/> before the earliest next fire time (woken by <see cref="EngineLoop.Wake"/> when triggers change).</summary>
    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        await FireDueAsync(stopping).ConfigureAwait(false);
        var now = Time.GetUtcNow();
        var fireAt = await store.GetNextTriggerFireAsync(stopping).ConfigureAwait(false) - FireAhead;
        return fireAt < now + MaxSleep ? fireAt : now + MaxSleep;
    }

    /// <summary>Fires every trigger due by <see cref="FireAhead"/> from now; returns how many triggers fired.</summary>
    public async Task<int> FireDueAsync(CancellationToken cancellationToken)
    {
        var fired = 0;
        while (true)
        {
            var now = Time.GetUtcNow();
            var due = await store.ListDueTriggersAsync(now + FireAhead, BatchSize, cancellationToken).ConfigureAwait(false);
            if (due.Count == 0)
            {
                return fired;
            }
            // Fired together so the store commits them as one group.
            var results = await Task.WhenAll(due.Select(t => FireAsync(t, now, cancellationToken))).ConfigureAwait(false);
            fired += results.Count(r => r);
            wakeDispatcher();
            if (due.Any(t => t.Spec.Overlap is TriggerOverlap.CancelOther or TriggerOverlap.TerminateOther))
            {
                stopCancelledRuns(); // A fire may have asked runs of this node to stop: not at the next heartbeat, now.
            }
            if (due.Count < BatchSize)
            {
                return fired;
            }
        }
    }

    private async Task<bool> FireAsync(TriggerState trigger, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var scheduled = trigger.NextFireAt!.Value;
        var spec = trigger.Spec;

        var (first, dropped) = CatchUpStart(spec, scheduled, now);
        var times = new List<DateTimeOffset>();
        if (first is { } start && (start <= now || start == scheduled))
        {
            times.Add(start);
            var cursor = start;
            while (times.Count <= options.MaxMisfireFires && TriggerTimes.After(spec, cursor) is { } following && following <= now)
            {
                times.Add(following);
                cursor = following;
            }
        }
        // A tick fired ahead is followed by the one after it, not by the next one after now.
        var next = TriggerTimes.NextAfterNow(spec, scheduled, scheduled > now ? scheduled : now);

        var onTime = times.Where(t => now - t <= options.MisfireThreshold).ToList();
        var missed = times.Where(t => now - t > options.MisfireThreshold).ToList();
        var fireTimes = new List<(DateTimeOffset At, int Missed)>(onTime.Select(t => (t, 0)));
        if (missed.Count > 0)
        {
            switch (spec.Misfire)
            {
                case MisfirePolicy.FireOnce:
                    fireTimes.Insert(0, (missed[^1], missed.Count));
                    break;
                case MisfirePolicy.FireAll:
                    fireTimes.InsertRange(0, missed.Select(t => (t, 1)));
                    break;
            }
        }

        var job = await jobs.GetAsync(trigger.JobName, 0, cancellationToken).ConfigureAwait(false);
        var paused = job?.Definition.Paused ?? true;
        var runs = paused ? [] : fireTimes.Select(f => Request(trigger, f.At, f.Missed, now)).ToList();
        var note = JsonSerializer.Serialize(new
        {
            scheduledAt = scheduled,
            runs = runs.Count,
            missed = missed.Count,
            misfire = missed.Count > 0 ? spec.Misfire.ToString() : null,
            dropped = dropped > 0 ? dropped : (int?)null,
            paused = paused ? true : (bool?)null,
            next,
        }, KairosJson.Options);
        if (missed.Count > 0)
        {
            Logger.LogWarning("Trigger {Trigger} of job {Job} missed {Count} fire time(s); policy {Policy}", trigger.Key, trigger.JobName, missed.Count, spec.Misfire);
        }
        try
        {
            var fired = await store.FireTriggerAsync(new TriggerFire(trigger.Id, scheduled, next, runs, now, note) { Overlap = spec.Overlap }, cancellationToken).ConfigureAwait(false);
            if (fired && runs.Count > 0)
            {
                metrics.TriggerFired(spec.Source, Time.GetUtcNow() - scheduled); // A tick fired ahead is on time (0).
            }
            return fired;
        }
        catch (KairosNotFoundException)
        {
            return false; // The job was deleted between the read and the fire.
        }
    }

    private static RunRequest Request(TriggerState trigger, DateTimeOffset scheduledAt, int missed, DateTimeOffset now)
    {
        var payload = Scheduling.ScheduledFire.Payload(trigger, scheduledAt);
        if (missed > 0)
        {
            payload["missedFires"] = missed;
        }
        return new RunRequest(trigger.JobName, trigger.Spec.Source)
        {
            Payload = payload.ToJsonString(),
            TriggerId = trigger.Id,
            NotBefore = DueAt(trigger, scheduledAt) is var due && due > now ? due : null, // Fired ahead or jittered: due at its time.
            IdempotencyKey = Scheduling.ScheduledFire.IdempotencyKey(trigger, scheduledAt),
        };
    }

    /// <summary>
    /// Dropped fire times counted for the journal at most (the count then means "at least"): the
    /// count walks them on the scheduler loop, which must not spend long on one trigger after downtime.
    /// </summary>
    private const int MaxDroppedCounted = 1_000;

    /// <summary>
    /// Where firing starts after a trigger's catch-up window (<see cref="TriggerSpec.CatchUp"/>): the
    /// first fire time within it, reached without walking the dropped ones, and how many were
    /// dropped (counted up to <see cref="MaxDroppedCounted"/>). Without a window: the scheduled time.
    /// </summary>
    private static (DateTimeOffset? First, int Dropped) CatchUpStart(TriggerSpec spec, DateTimeOffset scheduled, DateTimeOffset now)
    {
        if (spec.CatchUp is not { } window || now - scheduled <= window)
        {
            return (scheduled, 0);
        }
        var horizon = now - window;
        var dropped = 0;
        for (DateTimeOffset? t = scheduled; t is { } at && at < horizon && dropped < MaxDroppedCounted; t = TriggerTimes.After(spec, at))
        {
            dropped++;
        }
        return (TriggerTimes.NextAfterNow(spec, scheduled, horizon.AddTicks(-1)), dropped);
    }

    /// <summary>
    /// The scheduled time plus the trigger's jitter offset. The offset comes from a hash of the
    /// trigger and the fire time, not a random draw, so whichever node fires the tick (and a fire
    /// retried after a crash) arrives at the same due time.
    /// </summary>
    internal static DateTimeOffset DueAt(TriggerState trigger, DateTimeOffset scheduledAt)
    {
        if (trigger.Spec.Jitter is not { Ticks: > 0 } jitter)
        {
            return scheduledAt;
        }
        var hash = BitConverter.ToUInt64(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{trigger.Id}:{scheduledAt.ToUnixTimeMilliseconds()}"))));
        var offsetMs = (long)(hash % (ulong)Math.Max(1, (long)jitter.TotalMilliseconds));
        return scheduledAt.AddMilliseconds(offsetMs);
    }

    /// <summary>A run of a fixed-delay trigger ended: schedule the trigger's next fire from now.</summary>
    public async Task OnRunFinishedAsync(RunRecord run, JobDefinition job, CancellationToken cancellationToken)
    {
        if (run.TriggerId is not { } triggerId || !job.Triggers.Any(t => t is IntervalTriggerSpec { Mode: IntervalMode.FixedDelay }))
        {
            return;
        }
        var triggers = await store.ListTriggersAsync(job.Name, cancellationToken).ConfigureAwait(false);
        if (triggers.FirstOrDefault(t => t.Id == triggerId) is { Spec: IntervalTriggerSpec { Mode: IntervalMode.FixedDelay } interval, NextFireAt: null })
        {
            await store.SetTriggerNextFireAsync(triggerId, Time.GetUtcNow() + interval.Every, cancellationToken).ConfigureAwait(false);
            Wake();
        }
    }
}
