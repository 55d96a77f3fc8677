using System.Globalization;
using Kairos.Cron;

namespace Kairos.Tests.Cron;

/// <summary>Every syntax feature, checked through the occurrences it produces (in UTC).</summary>
public sealed class CronParsingTests
{
    private const string Start = "2026-01-01T00:00:00Z"; // a Thursday

    private static string[] Next(string expression, string after, int count) =>
        CronSchedule.Parse(expression)
            .GetOccurrences(DateTimeOffset.Parse(after, CultureInfo.InvariantCulture), TimeZoneInfo.Utc)
            .Take(count)
            .Select(o => o.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
            .ToArray();

    private static void AssertSame(string expected, string actual, int count = 40)
    {
        Assert.Equal(Next(expected, Start, count), Next(actual, Start, count));
    }

    [Fact]
    public void FiveFieldForm_HasNoSeconds_AndKeepsExpression()
    {
        var schedule = CronSchedule.Parse("0 9 * * MON-FRI");
        Assert.False(schedule.HasSeconds);
        Assert.Equal("0 9 * * MON-FRI", schedule.Expression);
    }

    [Fact]
    public void SixFieldForm_HasSeconds()
    {
        var schedule = CronSchedule.Parse("*/10 * * * * *");
        Assert.True(schedule.HasSeconds);
        Assert.Equal("*/10 * * * * *", schedule.Expression);
    }

    [Fact]
    public void Wildcard_EveryMinute()
    {
        Assert.Equal(["2026-01-01 00:01:00", "2026-01-01 00:02:00", "2026-01-01 00:03:00"], Next("* * * * *", Start, 3));
    }

    [Fact]
    public void List()
    {
        Assert.Equal(
            ["2026-01-01 00:01:00", "2026-01-01 00:05:00", "2026-01-01 00:09:00", "2026-01-01 01:01:00"],
            Next("1,5,9 * * * *", Start, 4));
    }

    [Fact]
    public void Range()
    {
        Assert.Equal(
            ["2026-01-01 01:00:00", "2026-01-01 02:00:00", "2026-01-01 03:00:00", "2026-01-02 01:00:00"],
            Next("0 1-3 * * *", Start, 4));
    }

    [Fact]
    public void StarStep()
    {
        Assert.Equal(
            ["2026-01-01 00:15:00", "2026-01-01 00:30:00", "2026-01-01 00:45:00", "2026-01-01 01:00:00"],
            Next("*/15 * * * *", Start, 4));
    }

    [Fact]
    public void StartStep_RunsToFieldMaximum()
    {
        Assert.Equal(
            ["2026-01-01 00:05:00", "2026-01-01 00:20:00", "2026-01-01 00:35:00", "2026-01-01 00:50:00", "2026-01-01 01:05:00"],
            Next("5/15 * * * *", Start, 5));
    }

    [Fact]
    public void RangeStep()
    {
        Assert.Equal(
            ["2026-01-01 00:10:00", "2026-01-01 00:15:00", "2026-01-01 00:20:00", "2026-01-01 00:25:00",
             "2026-01-01 00:30:00", "2026-01-01 00:35:00", "2026-01-01 00:40:00", "2026-01-01 01:10:00"],
            Next("10-40/5 * * * *", Start, 8));
    }

    [Fact]
    public void ListOfRangesAndSteps()
    {
        Assert.Equal(
            ["2026-01-01 00:01:00", "2026-01-01 00:02:00", "2026-01-01 00:10:00", "2026-01-01 00:40:00", "2026-01-01 00:55:00", "2026-01-01 01:01:00"],
            Next("1-2,10-40/30,55 * * * *", Start, 6));
    }

    [Fact]
    public void SecondsField_Step()
    {
        Assert.Equal(
            ["2026-01-01 12:00:10", "2026-01-01 12:00:20", "2026-01-01 12:00:30", "2026-01-01 12:00:40", "2026-01-01 12:00:50", "2026-01-01 12:01:00"],
            Next("*/10 * * * * *", "2026-01-01T12:00:05Z", 6));
    }

    [Fact]
    public void MonthNames_InListsAndRanges_CaseInsensitive()
    {
        Assert.Equal(["2026-07-01 00:00:00", "2027-01-01 00:00:00"], Next("0 0 1 JAN,jul *", "2026-03-01T00:00:00Z", 2));
        Assert.Equal(
            ["2026-03-01 00:00:00", "2026-04-01 00:00:00", "2026-05-01 00:00:00", "2027-03-01 00:00:00"],
            Next("0 0 1 MAR-may *", Start, 4));
        AssertSame("0 0 1 1-12/3 *", "0 0 1 JAN-DEC/3 *");
    }

    [Fact]
    public void DayNames_InListsAndRanges_CaseInsensitive()
    {
        Assert.Equal(["2026-01-03 00:00:00", "2026-01-04 00:00:00", "2026-01-10 00:00:00"], Next("0 0 * * sat,SUN", Start, 3));
        Assert.Equal(
            ["2026-01-05 00:00:00", "2026-01-06 00:00:00", "2026-01-07 00:00:00", "2026-01-12 00:00:00"],
            Next("0 0 * * Mon-Wed", Start, 4));
    }

    [Fact]
    public void DayOfWeek_ZeroAndSevenAreSunday()
    {
        Assert.Equal(["2026-01-04 00:00:00", "2026-01-11 00:00:00"], Next("0 0 * * 0", Start, 2));
        AssertSame("0 0 * * 0", "0 0 * * 7");
        AssertSame("0 0 * * SUN", "0 0 * * 7");
        Assert.Equal(["2026-01-02 00:00:00", "2026-01-03 00:00:00", "2026-01-04 00:00:00", "2026-01-09 00:00:00"], Next("0 0 * * 5-7", Start, 4));
        AssertSame("0 0 * * *", "0 0 * * 0-7");
    }

    [Fact]
    public void DayOfWeek_Step()
    {
        // Sunday, Tuesday, Thursday, Saturday.
        Assert.Equal(
            ["2026-01-03 00:00:00", "2026-01-04 00:00:00", "2026-01-06 00:00:00", "2026-01-08 00:00:00"],
            Next("0 0 * * */2", Start, 4));
    }

    [Fact]
    public void QuestionMark_MeansNoRestriction()
    {
        AssertSame("0 0 * * MON", "0 0 ? * MON");
        AssertSame("0 0 1 * *", "0 0 1 * ?");
        AssertSame("0 0 * * *", "0 0 ? * ?");
    }

    [Fact]
    public void QuestionMark_AcceptedInEveryField()
    {
        AssertSame("* * * * *", "? ? ? ? ?", count: 70);
        AssertSame("* 0 1 * * *", "? 0 1 ? * ?", count: 70);
        AssertSame("0 0 1 * *", "0 0 1 ? *");
    }

    [Fact]
    public void WrapAroundRange_Hours()
    {
        Assert.Equal(
            ["2026-01-01 01:00:00", "2026-01-01 02:00:00", "2026-01-01 22:00:00", "2026-01-01 23:00:00", "2026-01-02 00:00:00", "2026-01-02 01:00:00"],
            Next("0 22-2 * * *", "2026-01-01T00:30:00Z", 6));
    }

    [Fact]
    public void WrapAroundRange_Seconds()
    {
        Assert.Equal(
            ["2026-01-01 00:00:55", "2026-01-01 00:00:56", "2026-01-01 00:00:57", "2026-01-01 00:00:58", "2026-01-01 00:00:59",
             "2026-01-01 00:01:00", "2026-01-01 00:01:01", "2026-01-01 00:01:02", "2026-01-01 00:01:03", "2026-01-01 00:01:04",
             "2026-01-01 00:01:05", "2026-01-01 00:01:55"],
            Next("55-5 * * * * *", "2026-01-01T00:00:53Z", 12));
    }

    [Fact]
    public void WrapAroundRange_StepCountsFromTheStartAcrossTheWrap()
    {
        // 20-5/5 = 20,25,...,55,0,5 (not 0,5,20,...: the step runs on from 55 to 0).
        Assert.Equal(
            ["2026-01-01 00:00:00", "2026-01-01 00:05:00", "2026-01-01 00:20:00", "2026-01-01 00:25:00", "2026-01-01 00:30:00",
             "2026-01-01 00:35:00", "2026-01-01 00:40:00", "2026-01-01 00:45:00", "2026-01-01 00:50:00", "2026-01-01 00:55:00",
             "2026-01-01 01:00:00"],
            Next("20-5/5 * * * *", "2025-12-31T23:59:00Z", 11));
        // 50-10/15 = 50, 5 (50 + 15 = 65 wraps to 5; 20 is past the end).
        Assert.Equal(["2026-01-01 00:05:00", "2026-01-01 00:50:00", "2026-01-01 01:05:00"], Next("50-10/15 * * * *", Start, 3));
    }

    [Fact]
    public void WrapAroundRange_DayNames()
    {
        // SAT-TUE = Saturday, Sunday, Monday, Tuesday. 2026-01-01 is a Thursday.
        Assert.Equal(
            ["2026-01-03 00:00:00", "2026-01-04 00:00:00", "2026-01-05 00:00:00", "2026-01-06 00:00:00", "2026-01-10 00:00:00"],
            Next("0 0 * * SAT-TUE", Start, 5));
        AssertSame("0 0 * * SAT-TUE", "0 0 * * 6-2");
        AssertSame("0 0 * * SAT-TUE", "0 0 * * 0-2,6");
        AssertSame("0 0 * * SUN-TUE", "0 0 * * 7-2");
    }

    [Fact]
    public void WrapAroundRange_DayOfMonthWrapsAfter31()
    {
        // 28-3: 28,29,30,31,1,2,3 whatever the month's length; February 2026 has no 29-31.
        Assert.Equal(
            ["2026-01-28 00:00:00", "2026-01-29 00:00:00", "2026-01-30 00:00:00", "2026-01-31 00:00:00",
             "2026-02-01 00:00:00", "2026-02-02 00:00:00", "2026-02-03 00:00:00", "2026-02-28 00:00:00", "2026-03-01 00:00:00"],
            Next("0 0 28-3 * *", "2026-01-27T00:00:00Z", 9));
    }

    [Fact]
    public void WrapAroundRange_MonthNames()
    {
        Assert.Equal(
            ["2026-01-01 00:00:00", "2026-02-01 00:00:00", "2026-11-01 00:00:00", "2026-12-01 00:00:00", "2027-01-01 00:00:00"],
            Next("0 0 1 NOV-FEB *", "2025-12-31T12:00:00Z", 5));
        AssertSame("0 0 1 NOV-FEB *", "0 0 1 11-2 *");
    }

    [Fact]
    public void Whitespace_AnyRunOfSpacesOrTabs()
    {
        AssertSame("0 9 * * *", "  0\t9   *  *\t *  ");
    }

    [Fact]
    public void LastDayOfMonth()
    {
        Assert.Equal(
            ["2026-01-31 00:00:00", "2026-02-28 00:00:00", "2026-03-31 00:00:00", "2026-04-30 00:00:00"],
            Next("0 0 L * *", "2026-01-15T00:00:00Z", 4));
    }

    [Fact]
    public void LastDayOfMonth_WithOffset()
    {
        // L-3: three days before the last day of the month.
        Assert.Equal(["2026-01-28 00:00:00", "2026-02-25 00:00:00", "2026-03-28 00:00:00"], Next("0 0 L-3 * *", Start, 3));
        AssertSame("0 0 L * *", "0 0 L-0 * *");
    }

    [Fact]
    public void LastWeekdayOfMonth()
    {
        Assert.Equal(["2026-01-30 00:00:00", "2026-02-27 00:00:00", "2026-03-31 00:00:00"], Next("0 0 lw * *", Start, 3));
    }

    [Fact]
    public void LastWeekdayOfMonth_IsNearestWeekdayToTheLastDay()
    {
        AssertSame("0 0 LW * *", "0 0 L-0W * *");
        AssertSame("0 0 L-3W * *", "0 0 l-3w * *");
    }

    [Fact]
    public void StepJustBelowTheFieldSize_KeepsTheStartAndOneMore()
    {
        // The largest step is one less than the number of values: 59 minutes, 23 hours, 6 days of the week.
        AssertSame("0,59 * * * *", "*/59 * * * *");
        AssertSame("0 0,23 * * *", "0 */23 * * *");
        AssertSame("0 0 * * SUN,SAT", "0 0 * * */6");
    }

    [Fact]
    public void NearestWeekday()
    {
        Assert.Equal(["2026-01-15 00:00:00", "2026-02-16 00:00:00"], Next("0 0 15w * *", Start, 2));
    }

    [Fact]
    public void NthDayOfWeek_NumbersAndNames()
    {
        Assert.Equal(["2026-01-16 00:00:00", "2026-02-20 00:00:00"], Next("0 0 * * 5#3", Start, 2));
        AssertSame("0 0 * * 5#3", "0 0 * * fri#3");
        AssertSame("0 0 * * 0#1", "0 0 * * 7#1");
    }

    [Fact]
    public void LastDayOfWeek_NumbersAndNames()
    {
        Assert.Equal(["2026-01-30 00:00:00", "2026-02-27 00:00:00"], Next("0 0 * * 5L", Start, 2));
        AssertSame("0 0 * * 5L", "0 0 * * FRIL");
        AssertSame("0 0 * * 5L", "0 0 * * fril");
    }

    [Fact]
    public void DayRulesCombineInLists()
    {
        Assert.Equal(["2026-01-01 00:00:00", "2026-01-15 00:00:00", "2026-01-31 00:00:00"], Next("0 0 1,15,L * *", "2025-12-31T12:00:00Z", 3));
        Assert.Equal(["2026-01-02 00:00:00", "2026-01-30 00:00:00", "2026-02-06 00:00:00"], Next("0 0 * * FRI#1,FRIL", Start, 3));
    }

    [Theory]
    [InlineData("@yearly", "0 0 1 1 *")]
    [InlineData("@annually", "0 0 1 1 *")]
    [InlineData("@monthly", "0 0 1 * *")]
    [InlineData("@weekly", "0 0 * * 0")]
    [InlineData("@daily", "0 0 * * *")]
    [InlineData("@midnight", "0 0 * * *")]
    [InlineData("@hourly", "0 * * * *")]
    [InlineData("@DAILY", "0 0 * * *")]
    public void Macros_ExpandToTheirFiveFieldForm(string macro, string expansion)
    {
        var schedule = CronSchedule.Parse(macro);
        Assert.Equal(macro, schedule.Expression);
        Assert.False(schedule.HasSeconds);
        AssertSame(expansion, macro, 10);
    }

    [Fact]
    public void TryParse_Success()
    {
        Assert.True(CronSchedule.TryParse("*/5 * * * *", out CronSchedule? schedule, out string? error));
        Assert.NotNull(schedule);
        Assert.Null(error);
        Assert.Equal("*/5 * * * *", schedule.Expression);
    }

    [Fact]
    public void TryParse_Failure_ReturnsTheParseMessage()
    {
        Assert.False(CronSchedule.TryParse("61 * * * *", out CronSchedule? schedule, out string? error));
        Assert.Null(schedule);
        Assert.Equal("minute field '61': value 61 is out of range 0-59", error);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(CronSchedule.TryParse(null!, out CronSchedule? schedule, out string? error));
        Assert.Null(schedule);
        Assert.NotNull(error);
    }

    [Fact]
    public void Parse_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => CronSchedule.Parse(null!));
    }
}
