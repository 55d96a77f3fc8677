namespace Kairos.Cron;

/// <summary>
/// The UTC offsets that apply to the local times of one calendar day in a zone.
/// When <see cref="HasTransition"/> is false every local time of the day maps to exactly one
/// instant with offset <see cref="Before"/>. Otherwise the offset changes from
/// <see cref="Before"/> to <see cref="After"/> at the instant <see cref="TransitionUtcTicks"/>:
/// local times in [T + Before, T + After) do not exist (a gap, when After &gt; Before) or local
/// times in [T + After, T + Before) occur twice (an overlap, when After &lt; Before).
/// </summary>
internal readonly record struct LocalDayOffsets(TimeSpan Before, TimeSpan After, long TransitionUtcTicks)
{
    public bool HasTransition => Before != After;
}

/// <summary>
/// Derives gaps and overlaps purely from <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> on UTC
/// instants (never from IsInvalidTime / IsAmbiguousTime, which are unreliable for some zones).
/// Assumes a zone changes its offset at most once within any three days, which holds for
/// every zone in current use.
/// </summary>
internal static class ZoneOffsets
{
    private const long TicksPerDay = TimeSpan.TicksPerDay;

    /// <summary>The zone's offset at a UTC instant given in ticks (clamped to the DateTime range).</summary>
    public static TimeSpan At(TimeZoneInfo zone, long utcTicks)
    {
        long clamped = Math.Clamp(utcTicks, DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
        return zone.GetUtcOffset(new DateTime(clamped, DateTimeKind.Utc));
    }

    /// <summary>
    /// Offsets for the local day that starts at <paramref name="dayStartLocalTicks"/>. Every instant
    /// whose local time falls on that day lies within 14 hours of the day, so the offsets one day
    /// before its start and one day after its end bracket at most one transition that matters.
    /// </summary>
    public static LocalDayOffsets ForLocalDay(TimeZoneInfo zone, long dayStartLocalTicks)
    {
        long windowStart = dayStartLocalTicks - TicksPerDay;
        long windowEnd = dayStartLocalTicks + (2 * TicksPerDay);
        TimeSpan before = At(zone, windowStart);
        TimeSpan after = At(zone, windowEnd);
        if (before == after)
        {
            return new LocalDayOffsets(before, before, 0);
        }

        long transition = FindTransition(zone, windowStart, windowEnd, before);
        return new LocalDayOffsets(before, At(zone, transition), transition);
    }

    /// <summary>
    /// Binary search, at whole-second resolution, for the first instant in (from, to] whose offset
    /// differs from <paramref name="before"/> (the offset at <paramref name="fromUtcTicks"/>).
    /// </summary>
    private static long FindTransition(TimeZoneInfo zone, long fromUtcTicks, long toUtcTicks, TimeSpan before)
    {
        long low = fromUtcTicks / TimeSpan.TicksPerSecond;      // offset == before
        long high = (toUtcTicks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond; // offset != before
        while (high - low > 1)
        {
            long middle = low + ((high - low) / 2);
            if (At(zone, middle * TimeSpan.TicksPerSecond) == before)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return high * TimeSpan.TicksPerSecond;
    }
}
