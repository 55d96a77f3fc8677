using System.Numerics;

namespace Kairos.Cron;

/// <summary>
/// Finds the next matching time of day from the second, minute and hour fields, advancing
/// field by field (hour, then minute, then second) using the fields' bit sets.
/// </summary>
internal sealed class CronTimeOfDay
{
    public const int SecondsPerDay = 86_400;

    private readonly ulong _hours;
    private readonly ulong _minutes;
    private readonly ulong _seconds;

    public CronTimeOfDay(CronField second, CronField minute, CronField hour)
    {
        _seconds = second.Values;
        _minutes = minute.Values;
        _hours = hour.Values;
    }

    /// <summary>
    /// The first matching second of the day (0-86399) that is at or after
    /// <paramref name="fromSecond"/>, or -1 when no such second remains in the day.
    /// </summary>
    public int NextAtOrAfter(int fromSecond)
    {
        if (fromSecond < 0)
        {
            fromSecond = 0;
        }

        if (fromSecond >= SecondsPerDay)
        {
            return -1;
        }

        int hour = fromSecond / 3600;
        int minute = fromSecond / 60 % 60;
        int second = fromSecond % 60;
        while (true)
        {
            int nextHour = NextBit(_hours, hour);
            if (nextHour < 0)
            {
                return -1;
            }

            if (nextHour != hour)
            {
                hour = nextHour;
                minute = 0;
                second = 0;
            }

            int nextMinute = NextBit(_minutes, minute);
            if (nextMinute < 0)
            {
                hour++;
                minute = 0;
                second = 0;
                continue;
            }

            if (nextMinute != minute)
            {
                minute = nextMinute;
                second = 0;
            }

            int nextSecond = NextBit(_seconds, second);
            if (nextSecond < 0)
            {
                minute++; // minute 60 finds no bit, which moves on to the next hour
                second = 0;
                continue;
            }

            return (hour * 3600) + (minute * 60) + nextSecond;
        }
    }

    /// <summary>Lowest set bit at or above <paramref name="from"/>, or -1.</summary>
    private static int NextBit(ulong bits, int from)
    {
        if (from >= 64)
        {
            return -1;
        }

        ulong rest = bits & (ulong.MaxValue << from);
        return rest == 0 ? -1 : BitOperations.TrailingZeroCount(rest);
    }
}
