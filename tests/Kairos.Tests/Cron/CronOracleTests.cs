using System.Collections.Concurrent;
using System.Globalization;
using Kairos.Cron;

namespace Kairos.Tests.Cron;

/// <summary>
/// Compares a whole year of occurrences with a brute-force oracle that walks every minute (UTC instant)
/// of the year, converts it with TimeZoneInfo.ConvertTime, and applies the gap/overlap rules on its own:
/// <list type="bullet">
/// <item>a local minute seen for the first time fires if it matches;</item>
/// <item>when local time jumps forward by more than a minute (a gap), the instant after the jump also
/// fires if any skipped local minute matches (at most once);</item>
/// <item>a local minute seen again (an overlap's second pass) fires only for non-fixed expressions.</item>
/// </list>
/// </summary>
public sealed class CronOracleTests
{
    private static readonly DateTimeOffset YearStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset YearEnd = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ConcurrentDictionary<string, DateTimeOffset[]> Timelines = new();

    /// <summary>
    /// Besides the required zones: Antarctica/Troll (two-hour shift), America/Havana and Asia/Beirut
    /// (transitions at local midnight), and a custom zone whose gap and overlap straddle midnight.
    /// </summary>
    private static readonly string[] Zones =
    [
        "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Australia/Sydney", "Asia/Kolkata", "UTC",
        "Antarctica/Troll", "America/Havana", "Asia/Beirut", MidnightZone.Id,
    ];

    /// <summary>Expression, whether its time of day is fixed, and an independent local-time predicate.</summary>
    private static readonly (string Expression, bool Fixed, Func<DateTime, bool> Matches)[] Expressions =
    [
        ("0 * * * *", false, t => t.Minute == 0),
        ("*/15 * * * *", false, t => t.Minute % 15 == 0),
        ("30 2 * * *", true, t => t.Hour == 2 && t.Minute == 30),
        ("30 1 * * *", true, t => t.Hour == 1 && t.Minute == 30),
        ("0 2 * * *", true, t => t.Hour == 2 && t.Minute == 0),
        ("0 0-3 * * *", false, t => t.Hour <= 3 && t.Minute == 0),
        ("15,45 1-2 * * *", false, t => (t.Hour == 1 || t.Hour == 2) && (t.Minute == 15 || t.Minute == 45)),
        ("*/20 0-4 * * SUN", false, t => t.DayOfWeek == DayOfWeek.Sunday && t.Hour <= 4 && t.Minute % 20 == 0),
        ("0 9 * * MON-FRI", true, t => t.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Friday && t.Hour == 9 && t.Minute == 0),
        ("0 */30 2-3 * * *", false, t => (t.Hour == 2 || t.Hour == 3) && t.Minute % 30 == 0),
        ("0 30 2 * * SUN", true, t => t.DayOfWeek == DayOfWeek.Sunday && t.Hour == 2 && t.Minute == 30),
        ("45 23 * * *", true, t => t.Hour == 23 && t.Minute == 45),
        ("15 0 * * *", true, t => t.Hour == 0 && t.Minute == 15),
        ("*/30 0,23 * * *", false, t => (t.Hour == 0 || t.Hour == 23) && t.Minute % 30 == 0),
        ("0,30 1,2 * * *", true, t => (t.Hour == 1 || t.Hour == 2) && (t.Minute == 0 || t.Minute == 30)),
        ("0 0,15 2 * * *", true, t => t.Hour == 2 && (t.Minute == 0 || t.Minute == 15)),
        ("0 22-2 * * *", false, t => (t.Hour >= 22 || t.Hour <= 2) && t.Minute == 0),
        ("50-10/20 1-2 * * *", false, t => (t.Hour == 1 || t.Hour == 2) && (t.Minute == 50 || t.Minute == 10)),
        ("0 23-1/2 * * SAT-MON", false, t => (t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday or DayOfWeek.Monday) && (t.Hour == 23 || t.Hour == 1) && t.Minute == 0),
        ("0 0 L-3W * *", true, t => t.Hour == 0 && t.Minute == 0 && t.Day == LastDayNearestWeekday(t, 3)),
    ];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string zone in Zones)
        {
            for (int i = 0; i < Expressions.Length; i++)
            {
                data.Add(zone, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WholeYear_MatchesBruteForceOracle(string zoneId, int expressionIndex)
    {
        var (expression, isFixed, matches) = Expressions[expressionIndex];
        TimeZoneInfo zone = MidnightZone.Find(zoneId);
        List<DateTimeOffset> expected = Oracle(Timeline(zoneId), isFixed, matches);

        var actual = CronSchedule.Parse(expression)
            .GetOccurrences(YearStart, zone)
            .TakeWhile(o => o <= YearEnd)
            .ToList();

        for (int i = 1; i < actual.Count; i++)
        {
            Assert.True(actual[i] > actual[i - 1], $"{expression} in {zoneId}: {Show(actual[i])} does not follow {Show(actual[i - 1])}");
        }

        var missed = expected.Select(Show).Except(actual.Select(Show)).Take(5).ToList();
        var extra = actual.Select(Show).Except(expected.Select(Show)).Take(5).ToList();
        Assert.True(
            missed.Count == 0 && extra.Count == 0,
            $"{expression} in {zoneId}: missed [{string.Join(", ", missed)}], unexpected [{string.Join(", ", extra)}]");
        Assert.Equal(expected.Select(Show), actual.Select(Show)); // also catches doubles and order
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ArbitraryStartingPoints_MatchOracle(string zoneId, int expressionIndex)
    {
        var (expression, isFixed, matches) = Expressions[expressionIndex];
        TimeZoneInfo zone = MidnightZone.Find(zoneId);
        DateTimeOffset[] timeline = Timeline(zoneId);
        List<DateTimeOffset> expected = Oracle(timeline, isFixed, matches);
        var schedule = CronSchedule.Parse(expression);

        // Random instants (with sub-minute parts), plus every 5 minutes within 3 hours of each transition.
        var random = new Random(expressionIndex * 31 + zoneId.Length);
        var starts = new List<DateTimeOffset>();
        for (int i = 0; i < 300; i++)
        {
            starts.Add(YearStart.AddTicks((long)(random.NextDouble() * (YearEnd - YearStart).Ticks * 0.98)));
        }

        for (int i = 1; i < timeline.Length; i++)
        {
            if (timeline[i].Offset != timeline[i - 1].Offset)
            {
                for (int m = -180; m <= 180; m += 5)
                {
                    starts.Add(timeline[i].AddMinutes(m).AddSeconds(m % 2 == 0 ? 0 : 17));
                }
            }
        }

        long[] expectedTicks = expected.Select(o => o.UtcTicks).ToArray();
        foreach (DateTimeOffset start in starts)
        {
            // Index of the first expected occurrence strictly after `start`.
            int index = Array.BinarySearch(expectedTicks, start.UtcTicks);
            index = index >= 0 ? index + 1 : ~index;
            DateTimeOffset want = expected[index];
            DateTimeOffset? got = schedule.GetNextOccurrence(start, zone);
            Assert.True(
                got.HasValue && Show(got.Value) == Show(want),
                $"{expression} in {zoneId} after {Show(start)}: expected {Show(want)}, got {(got.HasValue ? Show(got.Value) : "null")}");
        }
    }

    /// <summary>The local time (with offset) of every minute of 2026 plus the first minute of 2027.</summary>
    private static DateTimeOffset[] Timeline(string zoneId) => Timelines.GetOrAdd(zoneId, id =>
    {
        TimeZoneInfo zone = MidnightZone.Find(id);
        int minutes = (int)(YearEnd - YearStart).TotalMinutes;
        var timeline = new DateTimeOffset[minutes + 1];
        for (int i = 0; i <= minutes; i++)
        {
            timeline[i] = TimeZoneInfo.ConvertTime(YearStart.AddMinutes(i), zone);
        }

        return timeline;
    });

    private static List<DateTimeOffset> Oracle(DateTimeOffset[] timeline, bool isFixed, Func<DateTime, bool> matches)
    {
        var fires = new List<DateTimeOffset>();
        DateTime highestLocal = timeline[0].DateTime; // the start instant itself is excluded ("strictly after")
        for (int i = 1; i < timeline.Length; i++)
        {
            DateTime local = timeline[i].DateTime;
            bool fire;
            if (local > highestLocal)
            {
                fire = matches(local);
                for (DateTime skipped = highestLocal.AddMinutes(1); skipped < local; skipped = skipped.AddMinutes(1))
                {
                    fire |= matches(skipped); // gap: local times that never happen
                }

                highestLocal = local;
            }
            else
            {
                fire = !isFixed && matches(local); // second pass of an overlap
            }

            if (fire)
            {
                fires.Add(timeline[i]);
            }
        }

        return fires;
    }

    /// <summary>An independent reading of L-nW: move a Saturday back and a Sunday forward, unless that leaves the month.</summary>
    private static int LastDayNearestWeekday(DateTime t, int n)
    {
        var day = new DateTime(t.Year, t.Month, DateTime.DaysInMonth(t.Year, t.Month)).AddDays(-n);
        DateTime moved = day.DayOfWeek switch
        {
            DayOfWeek.Saturday => day.AddDays(-1),
            DayOfWeek.Sunday => day.AddDays(1),
            _ => day,
        };
        if (moved.Month != day.Month)
        {
            moved = day.DayOfWeek == DayOfWeek.Saturday ? day.AddDays(2) : day.AddDays(-2);
        }

        return moved.Day;
    }

    private static string Show(DateTimeOffset o) => o.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
}
