using System.Globalization;
using Kairos.Cron;

namespace Kairos.Tests.Cron;

/// <summary>
/// Gap (spring forward) and overlap (fall back) behaviour:
/// a matching local time inside a gap fires once, at the instant the gap ends;
/// an ambiguous local time fires once (first pass) when second, minute and hour are each a fixed
/// value or a list of them, otherwise (a '*', range or step) in both passes.
/// </summary>
public sealed class CronDaylightSavingTests
{
    private static string[] Next(string expression, string after, int count, string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var results = CronSchedule.Parse(expression)
            .GetOccurrences(DateTimeOffset.Parse(after, CultureInfo.InvariantCulture), zone)
            .Take(count)
            .ToList();
        foreach (DateTimeOffset r in results)
        {
            Assert.Equal(zone.GetUtcOffset(r.UtcDateTime), r.Offset);
        }

        return results.Select(o => o.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)).ToArray();
    }

    // ---------------- Europe/Paris: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00 ----------------

    [Fact]
    public void Paris_Gap_FiresAtGapEnd()
    {
        Assert.Equal(
            ["2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"],
            Next("30 2 * * *", "2026-03-28T00:00:00+01:00", 3, "Europe/Paris"));
    }

    [Fact]
    public void Paris_Gap_SeveralTimesCollapseIntoOne()
    {
        Assert.Equal(
            ["2026-03-28T02:45:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00"],
            Next("*/15 2 * * *", "2026-03-28T02:30:00+01:00", 3, "Europe/Paris"));
    }

    [Fact]
    public void Paris_Gap_NotDoubledWithTheGapEndTime()
    {
        Assert.Equal(
            ["2026-03-29T01:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00", "2026-03-30T01:00:00+02:00"],
            Next("*/30 1-3 * * *", "2026-03-29T01:00:00+01:00", 4, "Europe/Paris"));
        Assert.Equal(
            ["2026-03-29T03:00:00+02:00", "2026-03-30T02:00:00+02:00"],
            Next("0 2,3 * * *", "2026-03-29T00:00:00+01:00", 2, "Europe/Paris"));
    }

    [Fact]
    public void Paris_Gap_EveryMinuteSkipsTheMissingHour()
    {
        Assert.Equal(
            ["2026-03-29T01:58:00+01:00", "2026-03-29T01:59:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T03:01:00+02:00"],
            Next("* * * * *", "2026-03-29T01:57:00+01:00", 4, "Europe/Paris"));
    }

    [Fact]
    public void Paris_Gap_SixFieldSecondsCollapse()
    {
        Assert.Equal(
            ["2026-03-29T03:00:00+02:00", "2026-03-29T03:00:30+02:00"],
            Next("*/30 * 2,3 * * *", "2026-03-29T01:59:59+01:00", 2, "Europe/Paris"));
    }

    [Fact]
    public void Paris_Overlap_FixedTimeFiresOnFirstPassOnly()
    {
        Assert.Equal(
            ["2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"],
            Next("30 2 * * *", "2026-10-24T00:00:00+02:00", 3, "Europe/Paris"));
        Assert.Equal(
            ["2026-10-25T02:00:00+02:00", "2026-10-26T02:00:00+01:00"],
            Next("0 2 * * *", "2026-10-25T00:00:00+02:00", 2, "Europe/Paris"));
        Assert.Equal(
            ["2026-10-25T02:30:15+02:00", "2026-10-26T02:30:15+01:00"],
            Next("15 30 2 * * *", "2026-10-25T00:00:00+02:00", 2, "Europe/Paris"));
    }

    [Fact]
    public void Paris_Overlap_FixedTime_AfterInsideOverlap_SkipsSecondPass()
    {
        // Between the passes, during the second pass, and in the first pass after the time.
        foreach (string after in new[] { "2026-10-25T02:45:00+02:00", "2026-10-25T02:10:00+01:00", "2026-10-25T02:30:00+02:00", "2026-10-25T02:45:00+01:00" })
        {
            Assert.Equal(["2026-10-26T02:30:00+01:00"], Next("30 2 * * *", after, 1, "Europe/Paris"));
        }
    }

    [Fact]
    public void Paris_Overlap_WildcardFiresInBothPasses()
    {
        Assert.Equal(
            ["2026-10-25T01:30:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00",
             "2026-10-25T02:00:00+01:00", "2026-10-25T02:30:00+01:00", "2026-10-25T03:00:00+01:00"],
            Next("*/30 * * * *", "2026-10-25T01:00:00+02:00", 6, "Europe/Paris"));
        Assert.Equal(
            ["2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00"],
            Next("0 * * * *", "2026-10-25T00:30:00+02:00", 4, "Europe/Paris"));
    }

    [Fact]
    public void Paris_Overlap_ListOfFixedTimesFiresOnFirstPassOnly()
    {
        Assert.Equal(
            ["2026-10-25T02:15:00+02:00", "2026-10-25T02:45:00+02:00", "2026-10-26T02:15:00+01:00", "2026-10-26T02:45:00+01:00"],
            Next("15,45 2 * * *", "2026-10-25T00:00:00+02:00", 4, "Europe/Paris"));
        Assert.Equal(
            ["2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:00:00+01:00"],
            Next("0 0,30 2 * * *", "2026-10-25T01:00:00+02:00", 3, "Europe/Paris"));
        // A list in the hour field too; 01:30 and 03:30 are outside the overlap.
        Assert.Equal(
            ["2026-10-25T01:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-25T03:30:00+01:00", "2026-10-26T01:30:00+01:00"],
            Next("30 1,2,3 * * *", "2026-10-25T00:00:00+02:00", 4, "Europe/Paris"));
        // From inside the second pass, the next is the following day.
        Assert.Equal(["2026-10-26T02:00:00+01:00"], Next("0 0,30 2 * * *", "2026-10-25T02:10:00+01:00", 1, "Europe/Paris"));
    }

    [Fact]
    public void Paris_Overlap_RangeAndStepAreNotFixed()
    {
        Assert.Equal(
            ["2026-10-25T02:00:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00"],
            Next("0 0-3 * * *", "2026-10-25T01:30:00+02:00", 3, "Europe/Paris"));
        // A list next to a range in another field is not fixed either.
        Assert.Equal(
            ["2026-10-25T02:15:00+02:00", "2026-10-25T02:45:00+02:00", "2026-10-25T02:15:00+01:00", "2026-10-25T02:45:00+01:00"],
            Next("15,45 2-3 * * *", "2026-10-25T00:00:00+02:00", 4, "Europe/Paris"));
        Assert.Equal(
            ["2026-10-25T02:30:00+02:00", "2026-10-25T02:30:30+02:00", "2026-10-25T02:30:00+01:00", "2026-10-25T02:30:30+01:00"],
            Next("*/30 30 2 * * *", "2026-10-25T00:00:00+02:00", 4, "Europe/Paris"));
    }

    [Fact]
    public void Paris_Overlap_AfterInFirstPass_NextIsSecondPass()
    {
        Assert.Equal(
            ["2026-10-25T02:00:00+01:00", "2026-10-25T02:30:00+01:00", "2026-10-25T03:00:00+01:00"],
            Next("*/30 * * * *", "2026-10-25T02:45:00+02:00", 3, "Europe/Paris"));
        Assert.Equal(
            ["2026-10-25T02:59:00+02:00", "2026-10-25T02:00:00+01:00", "2026-10-25T02:01:00+01:00"],
            Next("* * * * *", "2026-10-25T02:58:30+02:00", 3, "Europe/Paris"));
    }

    // ---------------- America/New_York: 2026-03-08 02:00 -> 03:00, 2026-11-01 02:00 -> 01:00 ----------------

    [Fact]
    public void NewYork_Gap()
    {
        Assert.Equal(
            ["2026-03-07T02:30:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"],
            Next("30 2 * * *", "2026-03-07T00:00:00-05:00", 3, "America/New_York"));
        Assert.Equal(
            ["2026-03-08T03:00:00-04:00", "2026-03-09T02:00:00-04:00"],
            Next("0 2 * * *", "2026-03-08T00:00:00-05:00", 2, "America/New_York"));
        Assert.Equal(
            ["2026-03-08T01:40:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T03:20:00-04:00"],
            Next("*/20 * * * *", "2026-03-08T01:30:00-05:00", 3, "America/New_York"));
    }

    [Fact]
    public void NewYork_Overlap()
    {
        Assert.Equal(
            ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"],
            Next("30 1 * * *", "2026-11-01T00:00:00-04:00", 2, "America/New_York"));
        Assert.Equal(
            ["2026-11-01T01:00:00-04:00", "2026-11-01T01:20:00-04:00", "2026-11-01T01:40:00-04:00",
             "2026-11-01T01:00:00-05:00", "2026-11-01T01:20:00-05:00", "2026-11-01T01:40:00-05:00", "2026-11-02T01:00:00-05:00"],
            Next("*/20 1 * * *", "2026-11-01T00:00:00-04:00", 7, "America/New_York"));
        Assert.Equal(
            ["2026-11-01T02:00:00-05:00", "2026-11-02T02:00:00-05:00"],
            Next("0 2 * * *", "2026-11-01T00:00:00-04:00", 2, "America/New_York"));
    }

    [Fact]
    public void NewYork_Overlap_ListOfFixedTimesFiresOnFirstPassOnly()
    {
        // 01:00-02:00 happens twice on 2026-11-01 (-04:00, then -05:00); each listed time fires once.
        Assert.Equal(
            ["2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:00:00-05:00", "2026-11-02T01:30:00-05:00"],
            Next("0 0,30 1 * * *", "2026-11-01T00:00:00-04:00", 4, "America/New_York"));
    }

    [Fact]
    public void NewYork_WeekdaysAcrossBothTransitions()
    {
        Assert.Equal(
            ["2026-03-06T09:00:00-05:00", "2026-03-09T09:00:00-04:00"],
            Next("0 9 * * MON-FRI", "2026-03-06T00:00:00-05:00", 2, "America/New_York"));
        Assert.Equal(
            ["2026-10-30T09:00:00-04:00", "2026-11-02T09:00:00-05:00"],
            Next("0 9 * * MON-FRI", "2026-10-30T00:00:00-04:00", 2, "America/New_York"));
    }

    // ---------- Australia/Lord_Howe (30-minute shift): 2026-04-05 02:00 -> 01:30, 2026-10-04 02:00 -> 02:30 ----------

    [Fact]
    public void LordHowe_HalfHourGap()
    {
        Assert.Equal(
            ["2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"],
            Next("15 2 * * *", "2026-10-04T00:00:00+10:30", 2, "Australia/Lord_Howe"));
        Assert.Equal(
            ["2026-10-04T02:30:00+11:00", "2026-10-05T02:00:00+11:00"],
            Next("0 2 * * *", "2026-10-04T00:00:00+10:30", 2, "Australia/Lord_Howe"));
        // 02:30 exists: it is not a gap time, and the gap fire is not doubled with it.
        Assert.Equal(
            ["2026-10-04T02:30:00+11:00", "2026-10-05T02:30:00+11:00"],
            Next("30 2 * * *", "2026-10-04T00:00:00+10:30", 2, "Australia/Lord_Howe"));
        Assert.Equal(
            ["2026-10-04T01:45:00+10:30", "2026-10-04T02:30:00+11:00", "2026-10-04T02:45:00+11:00", "2026-10-05T01:00:00+11:00"],
            Next("*/15 1-2 * * *", "2026-10-04T01:30:00+10:30", 4, "Australia/Lord_Howe"));
    }

    [Fact]
    public void LordHowe_HalfHourOverlap()
    {
        Assert.Equal(
            ["2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"],
            Next("45 1 * * *", "2026-04-05T00:00:00+11:00", 2, "Australia/Lord_Howe"));
        Assert.Equal(
            ["2026-04-05T01:00:00+11:00", "2026-04-05T01:15:00+11:00", "2026-04-05T01:30:00+11:00", "2026-04-05T01:45:00+11:00",
             "2026-04-05T01:30:00+10:30", "2026-04-05T01:45:00+10:30", "2026-04-06T01:00:00+10:30"],
            Next("*/15 1 * * *", "2026-04-05T00:30:00+11:00", 7, "Australia/Lord_Howe"));
    }

    // ---------- Australia/Sydney (southern hemisphere): 2026-04-05 03:00 -> 02:00, 2026-10-04 02:00 -> 03:00 ----------

    [Fact]
    public void Sydney_Gap()
    {
        Assert.Equal(
            ["2026-10-03T02:30:00+10:00", "2026-10-04T03:00:00+11:00", "2026-10-05T02:30:00+11:00"],
            Next("30 2 * * *", "2026-10-03T00:00:00+10:00", 3, "Australia/Sydney"));
    }

    [Fact]
    public void Sydney_Overlap()
    {
        Assert.Equal(
            ["2026-04-05T02:30:00+11:00", "2026-04-06T02:30:00+10:00"],
            Next("30 2 * * *", "2026-04-05T00:00:00+11:00", 2, "Australia/Sydney"));
        Assert.Equal(
            ["2026-04-05T01:00:00+11:00", "2026-04-05T02:00:00+11:00", "2026-04-05T02:00:00+10:00", "2026-04-05T03:00:00+10:00"],
            Next("0 * * * *", "2026-04-05T00:30:00+11:00", 4, "Australia/Sydney"));
    }

    [Fact]
    public void Sydney_WeekdaysAcrossTransitions()
    {
        Assert.Equal(
            ["2026-04-03T09:00:00+11:00", "2026-04-06T09:00:00+10:00"],
            Next("0 9 * * MON-FRI", "2026-04-03T00:00:00+11:00", 2, "Australia/Sydney"));
    }

    // ---------------- results are strictly increasing and carry the zone's offset ----------------

    [Theory]
    [InlineData("Europe/Paris")]
    [InlineData("America/New_York")]
    [InlineData("Australia/Lord_Howe")]
    [InlineData("Australia/Sydney")]
    public void EverySecondAcrossTransitions_StrictlyIncreasing(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var schedule = CronSchedule.Parse("*/7 * * * * *");
        foreach (DateTimeOffset transition in TransitionsIn2026(zone))
        {
            DateTimeOffset previous = transition.AddHours(-3);
            foreach (DateTimeOffset next in schedule.GetOccurrences(previous, zone).TakeWhile(o => o < transition.AddHours(3)))
            {
                Assert.True(next > previous, $"{next:o} does not follow {previous:o}");
                Assert.True(next - previous <= TimeSpan.FromSeconds(7), $"gap between {previous:o} and {next:o}");
                Assert.Equal(zone.GetUtcOffset(next.UtcDateTime), next.Offset);
                previous = next;
            }
        }
    }

    private static IEnumerable<DateTimeOffset> TransitionsIn2026(TimeZoneInfo zone)
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        TimeSpan offset = zone.GetUtcOffset(start.UtcDateTime);
        for (DateTimeOffset t = start; t.Year < 2027; t = t.AddMinutes(30))
        {
            TimeSpan current = zone.GetUtcOffset(t.UtcDateTime);
            if (current != offset)
            {
                offset = current;
                yield return t;
            }
        }
    }
}
