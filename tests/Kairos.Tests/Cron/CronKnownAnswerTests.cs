using System.Globalization;
using Kairos.Cron;

namespace Kairos.Tests.Cron;

/// <summary>Hand-checked occurrence lists for representative expressions.</summary>
public sealed class CronKnownAnswerTests
{
    private static string[] Next(string expression, string after, int count, string zoneId = "UTC") =>
        CronSchedule.Parse(expression)
            .GetOccurrences(
                DateTimeOffset.Parse(after, CultureInfo.InvariantCulture),
                TimeZoneInfo.FindSystemTimeZoneById(zoneId))
            .Take(count)
            .Select(o => o.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture))
            .ToArray();

    [Fact]
    public void WeekdaysAtNine_Paris()
    {
        // Friday 2026-01-02 before nine, then across a weekend.
        Assert.Equal(
            ["2026-01-02T09:00:00+01:00", "2026-01-05T09:00:00+01:00", "2026-01-06T09:00:00+01:00"],
            Next("0 9 * * MON-FRI", "2026-01-02T08:00:00+01:00", 3, "Europe/Paris"));

        // Across the spring-forward weekend the offset changes to +02:00.
        Assert.Equal(
            ["2026-03-27T09:00:00+01:00", "2026-03-30T09:00:00+02:00", "2026-03-31T09:00:00+02:00"],
            Next("0 9 * * MON-FRI", "2026-03-27T08:59:59+01:00", 3, "Europe/Paris"));

        // An `after` given in another offset is the same instant.
        Assert.Equal(
            ["2026-01-05T09:00:00+01:00"],
            Next("0 9 * * MON-FRI", "2026-01-02T08:00:00Z", 1, "Europe/Paris"));
    }

    [Fact]
    public void LastDayOfMonth_IncludingLeapFebruary()
    {
        Assert.Equal(
            ["2026-01-31T00:00:00+00:00", "2026-02-28T00:00:00+00:00", "2026-03-31T00:00:00+00:00", "2026-04-30T00:00:00+00:00"],
            Next("0 0 L * *", "2026-01-01T00:00:00Z", 4));
        Assert.Equal(["2028-02-29T00:00:00+00:00"], Next("0 0 L 2 *", "2027-03-01T00:00:00Z", 1));
    }

    [Fact]
    public void LastWeekdayOfMonth()
    {
        // Jan 31 and Feb 28 2026 are Saturdays, May 31 is a Sunday.
        Assert.Equal(
            ["2026-01-30T00:00:00+00:00", "2026-02-27T00:00:00+00:00", "2026-03-31T00:00:00+00:00", "2026-04-30T00:00:00+00:00", "2026-05-29T00:00:00+00:00"],
            Next("0 0 LW * *", "2026-01-01T00:00:00Z", 5));
    }

    [Fact]
    public void NearestWeekdayToThreeDaysBeforeTheLast()
    {
        // L-3W: Mar 28 and Jun 27 2026 are Saturdays (-> Friday), Sep 27 is a Sunday (-> Monday).
        Assert.Equal(
            ["2026-01-28T00:00:00+00:00", "2026-02-25T00:00:00+00:00", "2026-03-27T00:00:00+00:00", "2026-04-27T00:00:00+00:00",
             "2026-05-28T00:00:00+00:00", "2026-06-26T00:00:00+00:00", "2026-07-28T00:00:00+00:00", "2026-08-28T00:00:00+00:00",
             "2026-09-28T00:00:00+00:00", "2026-10-28T00:00:00+00:00", "2026-11-27T00:00:00+00:00", "2026-12-28T00:00:00+00:00"],
            Next("0 0 L-3W * *", "2026-01-01T00:00:00Z", 12));
    }

    [Fact]
    public void NearestWeekdayBeforeTheLast_StaysInTheMonth()
    {
        // L-30W is the 1st of 31-day months only. Mar 1 2026 is a Sunday (-> Monday 2nd) and Aug 1 a
        // Saturday: it moves forward to Monday the 3rd, not back to July 31.
        Assert.Equal(
            ["2026-03-02T00:00:00+00:00", "2026-05-01T00:00:00+00:00", "2026-07-01T00:00:00+00:00", "2026-08-03T00:00:00+00:00",
             "2026-10-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00"],
            Next("0 0 L-30W * *", "2026-01-01T00:00:00Z", 6));
        // Sep 2026 has 30 days: L-1W is Tuesday the 29th; Feb 2026's L-1 (27th) is a Friday.
        Assert.Equal(["2026-02-27T00:00:00+00:00", "2026-09-29T00:00:00+00:00"], Next("0 0 L-1W 2,9 *", "2026-01-01T00:00:00Z", 2));
    }

    [Fact]
    public void NearestWeekdayToThe15th()
    {
        // Feb 15, Mar 15 and Nov 15 2026 are Sundays (-> Monday), Aug 15 is a Saturday (-> Friday).
        string[] all = Next("0 0 15W * *", "2026-01-01T00:00:00Z", 12);
        Assert.Equal(
            ["2026-01-15T00:00:00+00:00", "2026-02-16T00:00:00+00:00", "2026-03-16T00:00:00+00:00", "2026-04-15T00:00:00+00:00",
             "2026-05-15T00:00:00+00:00", "2026-06-15T00:00:00+00:00", "2026-07-15T00:00:00+00:00", "2026-08-14T00:00:00+00:00",
             "2026-09-15T00:00:00+00:00", "2026-10-15T00:00:00+00:00", "2026-11-16T00:00:00+00:00", "2026-12-15T00:00:00+00:00"],
            all);
    }

    [Fact]
    public void NearestWeekday_DoesNotCrossMonthBoundaries()
    {
        // Aug 1 2026 is a Saturday: 1W moves forward to Monday the 3rd, not back to July 31.
        Assert.Equal(["2026-08-03T00:00:00+00:00"], Next("0 0 1W 8 *", "2026-01-01T00:00:00Z", 1));
        // Feb 1 2026 is a Sunday: Monday the 2nd.
        Assert.Equal(["2026-02-02T00:00:00+00:00"], Next("0 0 1W 2 *", "2026-01-01T00:00:00Z", 1));
        // May 31 2026 is a Sunday: 31W moves back to Friday the 29th, not forward to June 1.
        Assert.Equal(["2026-05-29T00:00:00+00:00"], Next("0 0 31W 5 *", "2026-01-01T00:00:00Z", 1));
        // Oct 31 2026 is a Saturday: Friday the 30th.
        Assert.Equal(["2026-10-30T00:00:00+00:00"], Next("0 0 31W 10 *", "2026-01-01T00:00:00Z", 1));
        // 31W never fires in 30-day months (skips April and June).
        Assert.Equal(["2026-03-31T00:00:00+00:00", "2026-05-29T00:00:00+00:00", "2026-07-31T00:00:00+00:00"], Next("0 0 31W 3-7 *", "2026-01-01T00:00:00Z", 3));
    }

    [Fact]
    public void ThirdFriday()
    {
        string[] expected = ["2026-01-16T00:00:00+00:00", "2026-02-20T00:00:00+00:00", "2026-03-20T00:00:00+00:00", "2026-04-17T00:00:00+00:00"];
        Assert.Equal(expected, Next("0 0 * * 5#3", "2026-01-01T00:00:00Z", 4));
        Assert.Equal(expected, Next("0 0 * * FRI#3", "2026-01-01T00:00:00Z", 4));
    }

    [Fact]
    public void FifthFriday_OnlyInMonthsThatHaveOne()
    {
        Assert.Equal(["2026-01-30T00:00:00+00:00", "2026-05-29T00:00:00+00:00"], Next("0 0 * * 5#5", "2026-01-01T00:00:00Z", 2));
    }

    [Fact]
    public void LastFriday()
    {
        string[] expected = ["2026-01-30T00:00:00+00:00", "2026-02-27T00:00:00+00:00", "2026-03-27T00:00:00+00:00", "2026-04-24T00:00:00+00:00"];
        Assert.Equal(expected, Next("0 0 * * FRIL", "2026-01-01T00:00:00Z", 4));
        Assert.Equal(expected, Next("0 0 * * 5L", "2026-01-01T00:00:00Z", 4));
    }

    [Fact]
    public void February29_OnlyInLeapYears()
    {
        Assert.Equal(
            ["2028-02-29T00:00:00+00:00", "2032-02-29T00:00:00+00:00", "2036-02-29T00:00:00+00:00"],
            Next("0 0 29 2 *", "2026-01-01T00:00:00Z", 3));
    }

    [Fact]
    public void DayOfMonthAndDayOfWeek_BothRestricted_MatchEither()
    {
        // The 1st and 15th of each month, and every Monday.
        Assert.Equal(
            ["2026-01-05T00:00:00+00:00", "2026-01-12T00:00:00+00:00", "2026-01-15T00:00:00+00:00", "2026-01-19T00:00:00+00:00",
             "2026-01-26T00:00:00+00:00", "2026-02-01T00:00:00+00:00", "2026-02-02T00:00:00+00:00", "2026-02-09T00:00:00+00:00",
             "2026-02-15T00:00:00+00:00", "2026-02-16T00:00:00+00:00"],
            Next("0 0 1,15 * 1", "2026-01-01T00:00:00Z", 10));
    }

    [Fact]
    public void DayOfMonthAndDayOfWeek_OnlyOneRestricted_ItDecides()
    {
        Assert.Equal(["2026-01-13T00:00:00+00:00", "2026-02-13T00:00:00+00:00"], Next("0 0 13 * *", "2026-01-01T00:00:00Z", 2));
        Assert.Equal(["2026-01-13T00:00:00+00:00", "2026-02-13T00:00:00+00:00"], Next("0 0 13 * ?", "2026-01-01T00:00:00Z", 2));
        Assert.Equal(["2026-01-02T00:00:00+00:00", "2026-01-09T00:00:00+00:00"], Next("0 0 ? * FRI", "2026-01-01T00:00:00Z", 2));
        // "*/2" is a restriction, so with a day-of-week both apply with OR: odd days plus Sundays.
        Assert.Equal(
            ["2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00", "2026-01-05T00:00:00+00:00", "2026-01-07T00:00:00+00:00"],
            Next("0 0 */2 * SUN", "2026-01-01T00:00:00Z", 4));
    }

    [Fact]
    public void DayRules_OrWithDayOfWeek()
    {
        // Last day of the month OR any Monday.
        Assert.Equal(
            ["2026-01-26T00:00:00+00:00", "2026-01-31T00:00:00+00:00", "2026-02-02T00:00:00+00:00"],
            Next("0 0 L * MON", "2026-01-20T00:00:00Z", 3));
    }

    [Fact]
    public void EveryTenSeconds()
    {
        Assert.Equal(
            ["2026-06-01T12:00:10+00:00", "2026-06-01T12:00:20+00:00", "2026-06-01T12:00:30+00:00",
             "2026-06-01T12:00:40+00:00", "2026-06-01T12:00:50+00:00", "2026-06-01T12:01:00+00:00"],
            Next("*/10 * * * * *", "2026-06-01T12:00:00Z", 6));
    }

    [Fact]
    public void SixFieldFixedTime()
    {
        Assert.Equal(
            ["2026-06-01T12:30:15+02:00", "2026-06-02T12:30:15+02:00"],
            Next("15 30 12 * * *", "2026-06-01T00:00:00Z", 2, "Europe/Paris"));
    }

    [Fact]
    public void Macros()
    {
        const string after = "2026-05-05T10:20:00Z"; // a Tuesday
        Assert.Equal(["2027-01-01T00:00:00+00:00"], Next("@yearly", after, 1));
        Assert.Equal(["2027-01-01T00:00:00+00:00"], Next("@annually", after, 1));
        Assert.Equal(["2026-06-01T00:00:00+00:00"], Next("@monthly", after, 1));
        Assert.Equal(["2026-05-10T00:00:00+00:00"], Next("@weekly", after, 1));
        Assert.Equal(["2026-05-06T00:00:00+00:00"], Next("@daily", after, 1));
        Assert.Equal(["2026-05-06T00:00:00+00:00"], Next("@midnight", after, 1));
        Assert.Equal(["2026-05-05T11:00:00+00:00", "2026-05-05T12:00:00+00:00"], Next("@hourly", after, 2));
        Assert.Equal(["2026-05-06T00:00:00+02:00"], Next("@daily", after, 1, "Europe/Paris"));
    }

    [Fact]
    public void NoOccurrenceWithinFiveYears_ReturnsNull()
    {
        var zone = TimeZoneInfo.Utc;
        var after = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Null(CronSchedule.Parse("0 0 30 2 *").GetNextOccurrence(after, zone));
        Assert.Null(CronSchedule.Parse("0 0 31 4,6,9,11 *").GetNextOccurrence(after, zone));
        Assert.Empty(CronSchedule.Parse("0 0 30 2 *").GetOccurrences(after, zone));
    }

    [Fact]
    public void StrictlyAfter()
    {
        var schedule = CronSchedule.Parse("0 12 * * *");
        var noon = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(noon.AddDays(1), schedule.GetNextOccurrence(noon, TimeZoneInfo.Utc));
        Assert.Equal(noon, schedule.GetNextOccurrence(noon.AddTicks(-1), TimeZoneInfo.Utc));

        var everySecond = CronSchedule.Parse("* * * * * *");
        Assert.Equal(noon.AddSeconds(1), everySecond.GetNextOccurrence(noon.AddMilliseconds(500), TimeZoneInfo.Utc));
        Assert.Equal(noon.AddSeconds(1), everySecond.GetNextOccurrence(noon, TimeZoneInfo.Utc));
    }

    [Fact]
    public void NoDaylightSavingZones()
    {
        Assert.Equal(
            ["2026-03-29T02:30:00+05:30", "2026-03-30T02:30:00+05:30"],
            Next("30 2 * * *", "2026-03-29T00:00:00+05:30", 2, "Asia/Kolkata"));
        Assert.Equal(
            ["2026-03-29T02:30:00+00:00", "2026-03-30T02:30:00+00:00"],
            Next("30 2 * * *", "2026-03-29T00:00:00Z", 2, "UTC"));
    }

    [Fact]
    public void GetOccurrences_IsLazy()
    {
        // An infinite sequence: taking a few must return promptly.
        var first = CronSchedule.Parse("* * * * * *")
            .GetOccurrences(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), TimeZoneInfo.Utc)
            .Take(3)
            .ToList();
        Assert.Equal(3, first.Count);
    }

    [Fact]
    public void NullZone_Throws()
    {
        var schedule = CronSchedule.Parse("* * * * *");
        Assert.Throws<ArgumentNullException>(() => schedule.GetNextOccurrence(DateTimeOffset.UnixEpoch, null!));
        Assert.Throws<ArgumentNullException>(() => schedule.GetOccurrences(DateTimeOffset.UnixEpoch, null!));
    }
}
