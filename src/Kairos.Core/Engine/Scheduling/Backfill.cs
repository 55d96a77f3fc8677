using System.Globalization;
using System.Text.Json;
using Kairos.Engine.Enqueueing;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Scheduling;

/// <summary>
/// Enqueues one run per scheduled time of a job's time triggers in [from, to), as the scheduler
/// would have fired them. Rules, in order:
/// <list type="bullet">
/// <item>Refused (400): from not before to, to after now (the scheduler fires later times), a job
/// with no time trigger, more than <see cref="BackfillRequest.MaxRuns"/> times (the message says how
/// many). Refused (409): a paused job, as a manual run is.</item>
/// <item>The times come from <see cref="TriggerTimes"/>, the scheduler's own rule; each run has the
/// scheduler's payload plus <c>"backfill": true</c> and the scheduler's idempotency key, so a time
/// that already has a run (fired, or backfilled before) is counted as existing, not enqueued again.</item>
/// <item>Every run goes through <see cref="RunEnqueuer"/> (source <c>backfill</c>), in transactions of
/// <see cref="BatchSize"/>: a backfill cut short is completed by running it again.</item>
/// <item>The backfill is journaled once (<c>job.backfilled</c>) with its range and counts.</item>
/// </list>
/// </summary>
internal static class Backfill
{
    /// <summary>Runs per transaction: short enough not to hold SQLite's one writer for long.</summary>
    private const int BatchSize = 1_000;

    /// <summary>Times counted for the refusal at most: counting an every-second schedule over years would take long.</summary>
    private const int MaxCounted = 100_000;

    public static async Task<BackfillResult> RunAsync(IKairosStore store, BackfillRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = request.JobName;
        if (request.From >= request.To)
        {
            throw new KairosValidationException($"from {Iso(request.From)} must be before to {Iso(request.To)}");
        }
        if (request.To > now)
        {
            throw new KairosValidationException($"to {Iso(request.To)} is after now ({Iso(now)}): a backfill enqueues scheduled times that have passed; the scheduler fires the later ones");
        }
        var job = await store.GetJobAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"job '{name}' does not exist");
        if (job.Definition.Paused)
        {
            throw new KairosConflictException($"job '{name}' is paused; resume it first (kairos jobs resume {name})");
        }
        var triggers = Chosen(await store.ListTriggersAsync(name, cancellationToken).ConfigureAwait(false), request.Trigger, name);
        var times = Times(triggers, request.From, request.To);

        var (enqueued, existing, skipped) = (0, 0, 0);
        int? free = null;
        foreach (var batch in times.Chunk(BatchSize))
        {
            var outcome = await store.WriteAsync(tx => EnqueueAsync(tx, name, batch, request.Overlap, free, now), cancellationToken).ConfigureAwait(false);
            (enqueued, existing, skipped, free) = (enqueued + outcome.Enqueued, existing + outcome.Existing, skipped + outcome.Skipped, outcome.Free);
        }
        var result = new BackfillResult(times.Count, enqueued, existing, skipped);
        var note = JsonSerializer.Serialize(new
        {
            from = request.From,
            to = request.To,
            trigger = request.Trigger,
            overlap = request.Overlap == BackfillOverlap.Skip ? "skip" : "allow-all",
            scheduled = result.Scheduled,
            enqueued,
            existing,
            skipped,
        }, KairosJson.Options);
        await store.WriteAsync(async tx =>
        {
            await tx.AppendJournalAsync(now, "job.backfilled", name, null, triggers.Count == 1 ? triggers[0].Id : null, note).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>The trigger asked for (by id or key), or every trigger with a series of times.</summary>
    private static List<TriggerState> Chosen(IReadOnlyList<TriggerState> triggers, string? asked, string job)
    {
        if (asked is null)
        {
            var timed = triggers.Where(HasSeries).OrderBy(t => t.Id).ToList();
            return timed.Count > 0
                ? timed
                : throw new KairosValidationException($"job '{job}' has no time trigger (cron, fixed-rate interval or once) to backfill");
        }
        var trigger = triggers.FirstOrDefault(t => t.Key == asked || t.Id.ToString(CultureInfo.InvariantCulture) == asked)
            ?? throw new KairosNotFoundException($"job '{job}' has no trigger '{asked}' (an id or key, as kairos jobs show {job} lists them)");
        return HasSeries(trigger)
            ? [trigger]
            : throw new KairosValidationException($"trigger '{asked}' of job '{job}' ({trigger.Spec.Source}) has no schedule to backfill: only cron, fixed-rate interval and once triggers have one");
    }

    private static bool HasSeries(TriggerState t) =>
        t.Spec is CronTriggerSpec or OnceTriggerSpec or IntervalTriggerSpec { Mode: IntervalMode.FixedRate };

    /// <summary>Every (trigger, time) in [from, to), earliest first; refused past <see cref="BackfillRequest.MaxRuns"/>, saying how many.</summary>
    private static List<(TriggerState Trigger, DateTimeOffset At)> Times(List<TriggerState> triggers, DateTimeOffset from, DateTimeOffset to)
    {
        var times = new List<(TriggerState Trigger, DateTimeOffset At)>();
        var counted = 0;
        foreach (var trigger in triggers)
        {
            for (var at = TriggerTimes.AtOrAfter(trigger, from); at is { } t && t < to && counted < MaxCounted; at = TriggerTimes.After(trigger.Spec, t))
            {
                if (++counted <= BackfillRequest.MaxRuns)
                {
                    times.Add((trigger, t));
                }
            }
        }
        if (counted > BackfillRequest.MaxRuns)
        {
            var many = counted >= MaxCounted ? $"at least {MaxCounted:N0}" : counted.ToString("N0", CultureInfo.InvariantCulture);
            throw new KairosValidationException(string.Create(CultureInfo.InvariantCulture,
                $"the range holds {many} scheduled times, more than the {BackfillRequest.MaxRuns:N0} one backfill may enqueue; narrow from and to, or choose one trigger"));
        }
        return times.OrderBy(t => t.At).ThenBy(t => t.Trigger.Id).ToList();
    }

    private readonly record struct BatchOutcome(int Enqueued, int Existing, int Skipped, int? Free);

    /// <summary>
    /// One batch in one transaction. With <see cref="BackfillOverlap.Skip"/> the job's free instances
    /// are counted in the first batch (its row locked, as the enqueue rule does) and spent earliest first.
    /// </summary>
    private static async ValueTask<BatchOutcome> EnqueueAsync(IDriverTransaction tx, string job, (TriggerState Trigger, DateTimeOffset At)[] batch, BackfillOverlap overlap, int? free, DateTimeOffset now)
    {
        if (overlap == BackfillOverlap.Skip && free is null)
        {
            var settings = await tx.GetJobSettingsAsync(job).ConfigureAwait(false) ?? throw new KairosNotFoundException($"job '{job}' does not exist");
            await tx.LockJobAsync(job).ConfigureAwait(false);
            free = Math.Max(0, (settings.MaxInstances ?? 1) - (int)await tx.CountActiveRunsAsync(job).ConfigureAwait(false));
        }
        var (enqueued, existing, skipped) = (0, 0, 0);
        foreach (var (trigger, at) in batch)
        {
            var request = Request(job, trigger, at);
            if (overlap == BackfillOverlap.Skip && await tx.FindRunByIdempotencyKeyAsync(job, request.IdempotencyKey!).ConfigureAwait(false) is null)
            {
                if (free <= 0)
                {
                    skipped++;
                    continue;
                }
                free--;
            }
            var result = await RunEnqueuer.EnqueueAsync(tx, request, now).ConfigureAwait(false);
            if (!result.Created)
            {
                existing++;
            }
            else if (result.State == RunState.Skipped)
            {
                skipped++; // The job's own rule: it skips overlapping runs.
            }
            else
            {
                enqueued++;
            }
        }
        return new BatchOutcome(enqueued, existing, skipped, free);
    }

    private static RunRequest Request(string job, TriggerState trigger, DateTimeOffset at)
    {
        var payload = ScheduledFire.Payload(trigger, at);
        payload["backfill"] = true;
        return new RunRequest(job, TriggerSources.Backfill)
        {
            Payload = payload.ToJsonString(),
            TriggerId = trigger.Id,
            IdempotencyKey = ScheduledFire.IdempotencyKey(trigger, at),
        };
    }

    private static string Iso(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
}
