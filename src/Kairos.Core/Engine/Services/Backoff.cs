namespace Kairos.Engine.Services;

/// <summary>
/// How long an <see cref="EngineLoop"/> waits after consecutive failed passes: <see cref="First"/>,
/// doubled for each failure after the first, at most <see cref="Max"/> (and <see cref="Max"/> when
/// <see cref="First"/> is already longer).
/// </summary>
internal readonly record struct Backoff(TimeSpan First, TimeSpan Max)
{
    /// <summary>1 s doubling up to 1 min: quick after a blip, one attempt a minute while the database is away.</summary>
    public static readonly Backoff Default = UpTo(TimeSpan.FromMinutes(1));

    /// <summary>1 s doubling up to <paramref name="max"/>: for a loop whose usual sleep is <paramref name="max"/>, so a failure never delays it longer than a success does.</summary>
    public static Backoff UpTo(TimeSpan max) => new(TimeSpan.FromSeconds(1), max);

    public TimeSpan After(int consecutiveFailures)
    {
        if (First >= Max)
        {
            return Max;
        }
        var doublings = Math.Min(Math.Max(consecutiveFailures - 1, 0), 30);
        return First.Ticks > Max.Ticks >> doublings ? Max : TimeSpan.FromTicks(First.Ticks << doublings);
    }
}
