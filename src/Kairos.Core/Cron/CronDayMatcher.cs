using System.Numerics;

namespace Kairos.Cron;

/// <summary>
/// Decides which days of a given month match the day-of-month and day-of-week fields.
/// When both fields are restricted (neither is '*' nor '?') a day matches if EITHER field
/// matches (classic Vixie cron); otherwise the restricted field alone decides.
/// Note that only a literal '*' or '?' counts as unrestricted: "*/2" is a restriction.
/// </summary>
internal sealed class CronDayMatcher
{
    private readonly CronField _dayOfMonth;
    private readonly CronField _dayOfWeek;

    /// <summary>
    /// Days 1-31 matched by the plain day-of-week values, indexed by the day of week of the 1st.
    /// </summary>
    private readonly uint[] _weekdayPatterns = new uint[7];

    public CronDayMatcher(CronField dayOfMonth, CronField dayOfWeek)
    {
        _dayOfMonth = dayOfMonth;
        _dayOfWeek = dayOfWeek;
        for (int first = 0; first < 7; first++)
        {
            for (int day = 1; day <= 31; day++)
            {
                if ((dayOfWeek.Values & (1UL << (int)DayOfWeekOf(day, first))) != 0)
                {
                    _weekdayPatterns[first] |= 1u << day;
                }
            }
        }
    }

    /// <summary>Bit d (1-31) set when day d of the month matches.</summary>
    public uint MatchingDays(int year, int month)
    {
        int daysInMonth = DateTime.DaysInMonth(year, month);
        uint allDays = (uint)((1UL << (daysInMonth + 1)) - 2); // bits 1..daysInMonth
        bool domRestricted = !_dayOfMonth.IsUnrestricted;
        bool dowRestricted = !_dayOfWeek.IsUnrestricted;
        if (!domRestricted && !dowRestricted)
        {
            return allDays;
        }

        int firstDayOfWeek = (int)new DateTime(year, month, 1).DayOfWeek;
        uint days = 0;
        if (domRestricted)
        {
            days |= DayOfMonthMatches(daysInMonth, firstDayOfWeek);
        }

        if (dowRestricted)
        {
            days |= DayOfWeekMatches(daysInMonth, firstDayOfWeek);
        }

        return days & allDays;
    }

    private uint DayOfMonthMatches(int daysInMonth, int firstDayOfWeek)
    {
        CronField f = _dayOfMonth;
        uint days = (uint)(f.Values & 0xFFFF_FFFE);
        if (!f.HasCalendarRules)
        {
            return days;
        }

        // "L-n": n days before the last day.
        days |= DaysBeforeLast(f.LastDayOffsets, daysInMonth, firstDayOfWeek, nearestWeekday: false);

        // "L-nW" (and "LW" = "L-0W"): the weekday nearest to n days before the last day.
        days |= DaysBeforeLast(f.LastDayNearestWeekdays, daysInMonth, firstDayOfWeek, nearestWeekday: true);

        // "nW": the weekday nearest to day n; nothing in months without a day n.
        ulong nearest = f.NearestWeekdays;
        while (nearest != 0)
        {
            int n = BitOperations.TrailingZeroCount(nearest);
            nearest &= nearest - 1;
            if (n <= daysInMonth)
            {
                days |= 1u << NearestWeekday(n, daysInMonth, firstDayOfWeek);
            }
        }

        return days;
    }

    private uint DayOfWeekMatches(int daysInMonth, int firstDayOfWeek)
    {
        CronField f = _dayOfWeek;
        uint days = _weekdayPatterns[firstDayOfWeek];

        if (!f.HasCalendarRules)
        {
            return days;
        }

        // "dL": last day-of-week d of the month.
        int lastDayOfWeek = (int)DayOfWeekOf(daysInMonth, firstDayOfWeek);
        for (int d = 0; d < 7; d++)
        {
            if ((f.LastDaysOfWeek & (1 << d)) != 0)
            {
                days |= 1u << (daysInMonth - ((lastDayOfWeek - d + 7) % 7));
            }
        }

        // "d#n": n-th day-of-week d of the month.
        ulong nth = f.NthDaysOfWeek;
        while (nth != 0)
        {
            int bit = BitOperations.TrailingZeroCount(nth);
            nth &= nth - 1;
            int d = bit / 8;
            int n = bit % 8;
            int day = 1 + ((d - firstDayOfWeek + 7) % 7) + (7 * (n - 1));
            if (day <= daysInMonth)
            {
                days |= 1u << day;
            }
        }

        return days;
    }

    /// <summary>
    /// Days (or the weekdays nearest to them) n days before the last day of the month, for each bit n
    /// of <paramref name="offsets"/>; an offset reaching before the 1st matches nothing.
    /// </summary>
    private static uint DaysBeforeLast(ulong offsets, int daysInMonth, int firstDayOfWeek, bool nearestWeekday)
    {
        uint days = 0;
        while (offsets != 0)
        {
            int n = BitOperations.TrailingZeroCount(offsets);
            offsets &= offsets - 1;
            int day = daysInMonth - n;
            if (day >= 1)
            {
                days |= 1u << (nearestWeekday ? NearestWeekday(day, daysInMonth, firstDayOfWeek) : day);
            }
        }

        return days;
    }

    /// <summary>
    /// The Monday-Friday nearest to <paramref name="day"/> without leaving the month (Quartz semantics):
    /// Saturday -> Friday before, unless that is in the previous month (then Monday after);
    /// Sunday -> Monday after, unless that is in the next month (then Friday before).
    /// </summary>
    private static int NearestWeekday(int day, int daysInMonth, int firstDayOfWeek) =>
        DayOfWeekOf(day, firstDayOfWeek) switch
        {
            DayOfWeek.Saturday => day == 1 ? 3 : day - 1,
            DayOfWeek.Sunday => day == daysInMonth ? day - 2 : day + 1,
            _ => day,
        };

    private static DayOfWeek DayOfWeekOf(int day, int firstDayOfWeek) =>
        (DayOfWeek)((firstDayOfWeek + day - 1) % 7);
}
