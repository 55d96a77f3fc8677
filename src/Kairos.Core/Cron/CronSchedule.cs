// Daylight-saving invariants (every expression is matched against local wall-clock time in the zone):
//  1. Gap (clocks spring forward): a matching local time that does not exist fires ONCE, at the instant
//     the gap ends (the first valid instant after it). All matches inside one gap collapse into that
//     single fire, and a match at the gap-end local time itself (e.g. 03:00) is the same instant, so it
//     is never doubled.
//  2. Overlap (clocks fall back): a local time that occurs twice fires once, on the first pass (the
//     earlier instant, daylight offset) when the second, minute and hour fields are each a fixed value
//     or a list of fixed values ("0 0,30 1 * * *" names times of day, each meant once); if any of them
//     is '*', a range or a step, it fires on both passes (it names a rhythm, kept through the repeat).
//  3. Occurrences are strictly increasing instants, each carrying the zone's UTC offset at that instant.
// Gaps and overlaps are derived only from TimeZoneInfo.GetUtcOffset on UTC instants (see ZoneOffsets),
// never from IsInvalidTime / IsAmbiguousTime.

using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Kairos.Cron;

/// <summary>
/// A parsed cron expression: 5 fields (minute hour day-of-month month day-of-week), 6 fields
/// (second first) or a macro (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly).
/// Instances are immutable and safe to share between threads.
/// </summary>
internal sealed class CronSchedule
{
    private const long TicksPerDay = TimeSpan.TicksPerDay;
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;
    private const int SearchYears = 5;

    private readonly CronField _month;
    private readonly CronDayMatcher _days;
    private readonly CronTimeOfDay _times;
    private readonly bool _isFixedTime;

    private CronSchedule(string expression, CronFields fields)
    {
        Expression = expression;
        Fields = fields;
        HasSeconds = fields.HasSeconds;
        _month = fields.Month;
        _days = new CronDayMatcher(fields.DayOfMonth, fields.DayOfWeek);
        _times = new CronTimeOfDay(fields.Second, fields.Minute, fields.Hour);
        _isFixedTime = fields.Second.IsFixedValues && fields.Minute.IsFixedValues && fields.Hour.IsFixedValues;
    }

    /// <summary>The expression as it was given to <see cref="Parse"/>.</summary>
    public string Expression { get; }

    /// <summary>The parsed fields (what <see cref="CronDescription"/> reads).</summary>
    public CronFields Fields { get; }

    /// <summary>True for the 6-field form, whose first field is the second.</summary>
    public bool HasSeconds { get; }

    /// <summary>Parses a cron expression.</summary>
    /// <exception cref="CronFormatException">The expression is not valid; the message says where and why.</exception>
    public static CronSchedule Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return new CronSchedule(expression, CronExpressionParser.Parse(expression));
    }

    /// <summary>Parses a cron expression without throwing.</summary>
    /// <returns>True and the schedule on success; false and the error message otherwise.</returns>
    public static bool TryParse(
        string expression,
        [NotNullWhen(true)] out CronSchedule? schedule,
        [NotNullWhen(false)] out string? error)
    {
        if (expression is null)
        {
            schedule = null;
            error = "cron expression is null";
            return false;
        }

        try
        {
            schedule = Parse(expression);
            error = null;
            return true;
        }
        catch (CronFormatException ex)
        {
            schedule = null;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>
    /// First occurrence strictly after <paramref name="after"/>, evaluated in <paramref name="zone"/>;
    /// the result's Offset is the zone's UTC offset at that instant. Null if there is none within
    /// about 5 years (e.g. "0 0 30 2 *").
    /// </summary>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        long afterUtc = after.UtcTicks;

        // The earliest local day that can hold an occurrence: the local day of `after`, or the
        // day before it if the clocks fall back within the next day and repeat earlier local times.
        TimeSpan offsetNow = ZoneOffsets.At(zone, afterUtc);
        TimeSpan offsetSoon = ZoneOffsets.At(zone, afterUtc + TicksPerDay);
        long startLocal = afterUtc + Math.Min(offsetNow.Ticks, offsetSoon.Ticks);
        DateTime firstDay = new DateTime(Math.Clamp(startLocal, 0, DateTime.MaxValue.Ticks)).Date;
        DateTime lastDay = firstDay.Year <= DateTime.MaxValue.Year - SearchYears
            ? firstDay.AddYears(SearchYears)
            : DateTime.MaxValue.Date;

        var best = new Best();
        for (DateTime? day = NextMatchingDay(firstDay, lastDay); day is DateTime d;)
        {
            long dayStart = d.Ticks;
            LocalDayOffsets offsets = ZoneOffsets.ForLocalDay(zone, dayStart);

            // No instant of this (or any later) day can precede what we already have.
            if (best.Found && dayStart - Math.Max(offsets.Before.Ticks, offsets.After.Ticks) >= best.Utc)
            {
                break;
            }

            FindInDay(dayStart, offsets, afterUtc, ref best);

            // Without a transition near this day, later days only hold later instants.
            if ((best.Found && !offsets.HasTransition) || d >= lastDay)
            {
                break;
            }

            day = NextMatchingDay(d.AddDays(1), lastDay);
        }

        if (!best.Found)
        {
            return null;
        }

        long clockTicks = best.Utc + best.Offset.Ticks;
        if (best.Utc < 0 || clockTicks < 0 || clockTicks > DateTime.MaxValue.Ticks || best.Utc > DateTime.MaxValue.Ticks)
        {
            return null;
        }

        return new DateTimeOffset(clockTicks, best.Offset);
    }

    /// <summary>Lazily enumerates successive occurrences strictly after <paramref name="after"/>.</summary>
    public IEnumerable<DateTimeOffset> GetOccurrences(DateTimeOffset after, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return Enumerate(after, zone);
    }

    private IEnumerable<DateTimeOffset> Enumerate(DateTimeOffset after, TimeZoneInfo zone)
    {
        DateTimeOffset cursor = after;
        while (GetNextOccurrence(cursor, zone) is DateTimeOffset next)
        {
            yield return next;
            cursor = next;
        }
    }

    /// <summary>
    /// Considers every occurrence produced by the local day starting at <paramref name="dayStart"/>
    /// that lies strictly after <paramref name="afterUtc"/>, keeping the earliest in <paramref name="best"/>.
    /// </summary>
    private void FindInDay(long dayStart, LocalDayOffsets offsets, long afterUtc, ref Best best)
    {
        long dayEnd = dayStart + TicksPerDay;
        if (!offsets.HasTransition)
        {
            ConsiderSegment(dayStart, dayStart, dayEnd, offsets.Before, afterUtc, ref best);
            return;
        }

        long transition = offsets.TransitionUtcTicks;
        TimeSpan before = offsets.Before;
        TimeSpan after = offsets.After;

        // Local times before the transition keep the old offset (this includes the first pass of an overlap).
        ConsiderSegment(dayStart, dayStart, transition + before.Ticks, before, afterUtc, ref best);

        if (after > before)
        {
            // Gap: local times in [T + before, T + after) do not exist. Any match there fires once, at T.
            if (transition > afterUtc && FirstLocal(dayStart, transition + before.Ticks, transition + after.Ticks) >= 0)
            {
                best.Consider(transition, after);
            }

            ConsiderSegment(dayStart, transition + after.Ticks, dayEnd, after, afterUtc, ref best);
        }
        else
        {
            // Overlap: local times in [T + after, T + before) happen again with the new offset.
            if (!_isFixedTime)
            {
                ConsiderSegment(dayStart, transition + after.Ticks, transition + before.Ticks, after, afterUtc, ref best);
            }

            ConsiderSegment(dayStart, transition + before.Ticks, dayEnd, after, afterUtc, ref best);
        }
    }

    /// <summary>
    /// The first matching local time in [fromLocal, toLocal) (clipped to the day) whose instant under
    /// <paramref name="offset"/> is after <paramref name="afterUtc"/>.
    /// </summary>
    private void ConsiderSegment(long dayStart, long fromLocal, long toLocal, TimeSpan offset, long afterUtc, ref Best best)
    {
        long local = FirstLocal(dayStart, Math.Max(fromLocal, afterUtc + offset.Ticks + 1), toLocal);
        if (local >= 0)
        {
            best.Consider(local - offset.Ticks, offset);
        }
    }

    /// <summary>The first matching local time (ticks) in [fromLocal, toLocal) within the day, or -1.</summary>
    private long FirstLocal(long dayStart, long fromLocal, long toLocal)
    {
        long from = Math.Max(fromLocal, dayStart);
        long to = Math.Min(toLocal, dayStart + TicksPerDay);
        if (from >= to)
        {
            return -1;
        }

        int fromSecond = (int)((from - dayStart + TicksPerSecond - 1) / TicksPerSecond);
        int second = _times.NextAtOrAfter(fromSecond);
        if (second < 0)
        {
            return -1;
        }

        long local = dayStart + (second * TicksPerSecond);
        return local < to ? local : -1;
    }

    /// <summary>The first day on or after <paramref name="from"/> (and not after <paramref name="last"/>) whose month and day match.</summary>
    private DateTime? NextMatchingDay(DateTime from, DateTime last)
    {
        int year = from.Year;
        int month = from.Month;
        int day = from.Day;
        while (year < last.Year || (year == last.Year && month <= last.Month))
        {
            if ((_month.Values & (1UL << month)) != 0)
            {
                uint days = _days.MatchingDays(year, month) & (uint.MaxValue << day);
                if (days != 0)
                {
                    var match = new DateTime(year, month, BitOperations.TrailingZeroCount(days));
                    return match <= last ? match : null;
                }
            }

            day = 1;
            if (++month > 12)
            {
                month = 1;
                year++;
            }
        }

        return null;
    }

    /// <summary>The earliest candidate instant seen so far.</summary>
    private struct Best
    {
        public long Utc;
        public TimeSpan Offset;
        public bool Found;

        public void Consider(long utc, TimeSpan offset)
        {
            if (!Found || utc < Utc)
            {
                Utc = utc;
                Offset = offset;
                Found = true;
            }
        }
    }
}
