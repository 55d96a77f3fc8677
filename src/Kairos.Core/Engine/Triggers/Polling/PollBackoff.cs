namespace Kairos.Polling;

/// <summary>
/// How long after a poll the next one is due: the interval, doubled for each consecutive failure
/// after the first (1, 2, 4, … × interval), at most 32 × interval and at most 1 h (unless the
/// interval itself is longer).
/// </summary>
internal static class PollBackoff
{
    public const int MaxFactor = 32;
    public static readonly TimeSpan MaxDelay = TimeSpan.FromHours(1);

    public static TimeSpan Delay(TimeSpan interval, int consecutiveFailures)
    {
        if (consecutiveFailures <= 1)
        {
            return interval;
        }
        var factor = Math.Min(1L << Math.Min(consecutiveFailures - 1, 30), MaxFactor);
        var cap = interval > MaxDelay ? interval : MaxDelay;
        return interval.Ticks > cap.Ticks / factor ? cap : TimeSpan.FromTicks(interval.Ticks * factor);
    }
}
