namespace Kairos.Model;

/// <summary>
/// The next fire times of a job's time triggers (cron, interval, once), as the scheduler will fire
/// them. A paused job's triggers keep moving but enqueue nothing: <see cref="Paused"/> says so.
/// </summary>
public sealed record JobFireTimes(string JobName, bool Paused, IReadOnlyList<TriggerFireTimes> Triggers);

/// <summary>
/// One time trigger's next fires. <see cref="Times"/> is empty when the trigger will not fire again
/// (a once trigger that fired) or waits for its run to end (fixed delay); a fixed-delay trigger
/// shows at most its one known fire.
/// </summary>
/// <param name="TriggerId">The trigger's id (what <c>backfill --trigger</c> takes, as does its key).</param>
/// <param name="Key">The trigger's key: its kind and a hash of its definition.</param>
/// <param name="Kind">cron, interval or once.</param>
/// <param name="TimeZone">The zone the times are given in: the cron trigger's zone, else UTC.</param>
/// <param name="Description">The schedule in words, e.g. "At 09:00, Monday to Friday, Europe/Paris".</param>
/// <param name="Times">The next fires, earliest first.</param>
public sealed record TriggerFireTimes(long TriggerId, string Key, string Kind, string TimeZone, string Description, IReadOnlyList<FireTime> Times);

/// <summary>
/// One fire: the schedule's time, and when its run is due, later by the trigger's jitter (the same
/// offset every node computes). Both carry the trigger zone's UTC offset at that instant.
/// </summary>
public sealed record FireTime(DateTimeOffset ScheduledAt, DateTimeOffset DueAt);
