using Kairos.Cron;
using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Engine;

/// <summary>When time triggers fire: the first fire of a new trigger and the fire that follows a given one.</summary>
internal static class TriggerTimes
{
    /// <summary>The first fire time of a trigger stored at <paramref name="now"/>.</summary>
    public static DateTimeOffset? First(TriggerSpec spec, DateTimeOffset now) => spec switch
    {
        CronTriggerSpec cron => Schedule(cron).GetNextOccurrence(now, Zone(cron)),
        IntervalTriggerSpec { Mode: IntervalMode.FixedRate, Anchor: { } anchor } interval => AlignedAfter(anchor, interval.Every, now, inclusive: true),
        IntervalTriggerSpec interval => now + interval.Every,
        OnceTriggerSpec once => once.At,
        NowTriggerSpec => now,
        _ => null, // Event triggers fire when their event arrives, not at a time.
    };

    /// <summary>The fire after the one scheduled at <paramref name="scheduled"/>; null when the trigger has no more (once, now) or waits for its run (fixed delay).</summary>
    public static DateTimeOffset? After(TriggerSpec spec, DateTimeOffset scheduled) => spec switch
    {
        CronTriggerSpec cron => Schedule(cron).GetNextOccurrence(scheduled, Zone(cron)),
        IntervalTriggerSpec { Mode: IntervalMode.FixedRate } interval => scheduled + interval.Every,
        _ => null,
    };

    /// <summary>The first fire strictly after <paramref name="now"/> continuing the series through <paramref name="scheduled"/>, without walking every missed fire.</summary>
    public static DateTimeOffset? NextAfterNow(TriggerSpec spec, DateTimeOffset scheduled, DateTimeOffset now) => spec switch
    {
        CronTriggerSpec cron => Schedule(cron).GetNextOccurrence(now, Zone(cron)),
        IntervalTriggerSpec { Mode: IntervalMode.FixedRate } interval => AlignedAfter(scheduled, interval.Every, now, inclusive: false),
        _ => null,
    };

    /// <summary>
    /// The first fire at or after <paramref name="at"/> of the series the stored trigger follows (in
    /// the past or the future); null when it has no fixed series (fixed delay, now, event triggers)
    /// or none that late. With <see cref="After"/> it walks a range of past fires (a backfill).
    /// </summary>
    public static DateTimeOffset? AtOrAfter(TriggerState trigger, DateTimeOffset at) => trigger.Spec switch
    {
        CronTriggerSpec cron => Schedule(cron).GetNextOccurrence(at.AddTicks(-1), Zone(cron)),
        IntervalTriggerSpec { Mode: IntervalMode.FixedRate } interval when (interval.Anchor ?? trigger.NextFireAt ?? trigger.LastFireAt) is { } anchor =>
            anchor + TimeSpan.FromTicks(interval.Every.Ticks * CeilingSteps(at - anchor, interval.Every)),
        OnceTriggerSpec once when once.At >= at => once.At,
        _ => null,
    };

    /// <summary>The least whole number of steps that reaches <paramref name="distance"/> (negative when it lies before the anchor).</summary>
    private static long CeilingSteps(TimeSpan distance, TimeSpan step) =>
        distance.Ticks >= 0 ? (distance.Ticks + step.Ticks - 1) / step.Ticks : -(-distance.Ticks / step.Ticks);

    private static DateTimeOffset AlignedAfter(DateTimeOffset anchor, TimeSpan every, DateTimeOffset now, bool inclusive)
    {
        if (anchor > now || (inclusive && anchor == now))
        {
            return anchor;
        }
        var steps = ((now - anchor).Ticks / every.Ticks) + 1;
        return anchor + TimeSpan.FromTicks(every.Ticks * steps);
    }

    public static CronSchedule Schedule(CronTriggerSpec cron) => CronCache.Get(cron.Expression);

    public static TimeZoneInfo Zone(CronTriggerSpec cron) => TimeZoneInfo.FindSystemTimeZoneById(cron.TimeZone);

    /// <summary>Parsed expressions, shared: a scheduler with thousands of triggers parses each text once.</summary>
    private static class CronCache
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CronSchedule> Schedules = new(StringComparer.Ordinal);

        public static CronSchedule Get(string expression) => Schedules.GetOrAdd(expression, CronSchedule.Parse);
    }
}
