using Kairos.Engine.Services;

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

    public static Backoff For(TimeSpan interval)
    {
        var cap = interval > MaxDelay ? interval : MaxDelay;
        return new Backoff(interval, interval.Ticks > cap.Ticks / MaxFactor ? cap : interval * MaxFactor);
    }

    public static TimeSpan Delay(TimeSpan interval, int consecutiveFailures) => For(interval).After(consecutiveFailures);
}
