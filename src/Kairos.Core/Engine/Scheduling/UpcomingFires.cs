using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Engine.Scheduling;

/// <summary>
/// The next fire times of a job's time triggers, as the scheduler will fire them: from each
/// trigger's stored next fire time, walked on with <see cref="TriggerTimes.After"/> (the scheduler's
/// own rule, never a second one), each due at <see cref="TriggerScheduler.DueAt"/> (its jitter).
/// </summary>
internal static class UpcomingFires
{
    public const int MaxCount = 100;

    public static JobFireTimes For(StoredJob job, IReadOnlyList<TriggerState> triggers, int count)
    {
        if (count is < 1 or > MaxCount)
        {
            throw new KairosValidationException($"count {count} is out of range: ask for 1 to {MaxCount} fire times");
        }
        var times = triggers
            .Where(t => t.Spec is CronTriggerSpec or IntervalTriggerSpec or OnceTriggerSpec)
            .OrderBy(t => t.Id)
            .Select(t => ForTrigger(t, count))
            .ToList();
        return new JobFireTimes(job.Definition.Name, job.Definition.Paused, times);
    }

    private static TriggerFireTimes ForTrigger(TriggerState trigger, int count)
    {
        var zoneName = trigger.Spec is CronTriggerSpec cron ? cron.TimeZone : "UTC";
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneName);
        var times = new List<FireTime>();
        for (var at = trigger.NextFireAt; at is { } scheduled && times.Count < count; at = TriggerTimes.After(trigger.Spec, scheduled))
        {
            times.Add(new FireTime(TimeZoneInfo.ConvertTime(scheduled, zone), TimeZoneInfo.ConvertTime(TriggerScheduler.DueAt(trigger, scheduled), zone)));
        }
        return new TriggerFireTimes(trigger.Id, trigger.Key, trigger.Spec.Source, zoneName, TriggerDescription.Of(trigger.Spec), times);
    }
}
