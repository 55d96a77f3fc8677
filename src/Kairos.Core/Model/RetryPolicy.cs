namespace Kairos.Model;

public enum BackoffKind
{
    Fixed,
    Linear,
    Exponential,
}

/// <summary>
/// When a failed attempt is tried again. <see cref="MaxAttempts"/> counts every attempt including the
/// first, so 1 means "never retry". Delays: fixed = initial; linear = initial × attempt;
/// exponential = initial × 2^(attempt−1); all capped at <see cref="MaxDelay"/>, then spread by
/// ±<see cref="Jitter"/> (a fraction, 0.2 = ±20 %) so that runs failing together do not retry together.
/// </summary>
public sealed record RetryPolicy(
    BackoffKind Backoff,
    TimeSpan InitialDelay,
    TimeSpan MaxDelay,
    double Jitter,
    int MaxAttempts)
{
    /// <summary>3 attempts, exponential from 10 s up to 10 min, ±20 % jitter.</summary>
    public static readonly RetryPolicy Default =
        new(BackoffKind.Exponential, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), 0.2, 3);

    /// <summary>Delay before the attempt that follows failed attempt number <paramref name="failedAttempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int failedAttempt, Random random)
    {
        var n = Math.Max(1, failedAttempt);
        var baseTicks = Backoff switch
        {
            BackoffKind.Fixed => InitialDelay.Ticks,
            BackoffKind.Linear => InitialDelay.Ticks * (double)n,
            _ => InitialDelay.Ticks * Math.Pow(2, Math.Min(n - 1, 62)),
        };
        var capped = Math.Min(baseTicks, MaxDelay.Ticks);
        var spread = capped * Jitter * ((random.NextDouble() * 2) - 1);
        var ticks = Math.Clamp(capped + spread, 0, MaxDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
