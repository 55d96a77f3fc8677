using Kairos.Cron;

namespace Kairos.Tests.Cron;

/// <summary>Every parse error names its field and quotes the bad text.</summary>
public sealed class CronFormatErrorTests
{
    private static CronFormatException ParseError(string expression)
    {
        var ex = Assert.Throws<CronFormatException>(() => CronSchedule.Parse(expression));
        Assert.False(CronSchedule.TryParse(expression, out CronSchedule? schedule, out string? error));
        Assert.Null(schedule);
        Assert.Equal(ex.Message, error);
        return ex;
    }

    [Theory]
    // out of range
    [InlineData("61 * * * *", "minute", "61", "value 61 is out of range 0-59")]
    [InlineData("60 * * * * *", "second", "60", "value 60 is out of range 0-59")]
    [InlineData("* 24 * * *", "hour", "24", "value 24 is out of range 0-23")]
    [InlineData("* * 0 * *", "day-of-month", "0", "value 0 is out of range 1-31")]
    [InlineData("* * 32 * *", "day-of-month", "32", "value 32 is out of range 1-31")]
    [InlineData("* * * 13 *", "month", "13", "value 13 is out of range 1-12")]
    [InlineData("* * * 0 *", "month", "0", "value 0 is out of range 1-12")]
    [InlineData("* * * * 8", "day-of-week", "8", "value 8 is out of range 0-7")]
    [InlineData("1,99 * * * *", "minute", "1,99", "value 99 is out of range 0-59")]
    [InlineData("0-70 * * * *", "minute", "0-70", "value 70 is out of range 0-59")]
    [InlineData("99999999999 * * * *", "minute", "99999999999", "value 99999999999 is out of range 0-59")]
    // steps
    [InlineData("*/0 * * * *", "minute", "*/0", "step in '*/0' is zero")]
    [InlineData("* 1-5/0 * * *", "hour", "1-5/0", "step in '1-5/0' is zero")]
    [InlineData("*/60 * * * *", "minute", "*/60", "step 60 in '*/60' is out of range 1-59")]
    [InlineData("*/61 * * * * *", "second", "*/61", "step 61 in '*/61' is out of range 1-59")]
    [InlineData("0 1/24 * * *", "hour", "1/24", "step 24 in '1/24' is out of range 1-23")]
    [InlineData("* * */31 * *", "day-of-month", "*/31", "step 31 in '*/31' is out of range 1-30")]
    [InlineData("* * * */12 *", "month", "*/12", "step 12 in '*/12' is out of range 1-11")]
    [InlineData("* * * * */7", "day-of-week", "*/7", "step 7 in '*/7' is out of range 1-6")]
    [InlineData("* * * * 1-5/8", "day-of-week", "1-5/8", "step 8 in '1-5/8' is out of range 1-6")]
    [InlineData("5/ * * * *", "minute", "5/", "step '' in '5/' is not a number")]
    [InlineData("*/x * * * *", "minute", "*/x", "step 'x' in '*/x' is not a number")]
    [InlineData("/5 * * * *", "minute", "/5", "missing start before '/' in '/5'")]
    // names and garbage
    [InlineData("* * * FOO *", "month", "FOO", "unknown month name 'FOO'")]
    [InlineData("* * * * FUN", "day-of-week", "FUN", "unknown day name 'FUN'")]
    [InlineData("* * * jan,foo *", "month", "jan,foo", "unknown month name 'foo'")]
    [InlineData("* * * * mon-fun", "day-of-week", "mon-fun", "unknown day name 'fun'")]
    [InlineData("* * * MON *", "month", "MON", "unknown month name 'MON'")]
    [InlineData("* * * * JAN", "day-of-week", "JAN", "unknown day name 'JAN'")]
    [InlineData("MON * * * *", "minute", "MON", "'MON' is not a number")]
    [InlineData("* * JAN * *", "day-of-month", "JAN", "'JAN' is not a number")]
    [InlineData("1.5 * * * *", "minute", "1.5", "'1.5' is not a number")]
    [InlineData("-5 * * * *", "minute", "-5", "incomplete range '-5'")]
    [InlineData("1- * * * *", "minute", "1-", "incomplete range '1-'")]
    // empty list items
    [InlineData("1,,2 * * * *", "minute", "1,,2", "empty list item")]
    [InlineData("* ,3 * * *", "hour", ",3", "empty list item")]
    [InlineData("* * * * MON,", "day-of-week", "MON,", "empty list item")]
    // '?' inside a list
    [InlineData("* * ?,1 * *", "day-of-month", "?,1", "'?' must be the whole field")]
    // W, L and # in the wrong fields
    [InlineData("L * * * *", "minute", "L", "'L' in 'L' is only allowed in the day-of-month and day-of-week fields")]
    [InlineData("* * * L *", "month", "L", "'L' in 'L' is only allowed in the day-of-month and day-of-week fields")]
    [InlineData("* 5L * * *", "hour", "5L", "'L' in '5L' is only allowed in the day-of-month and day-of-week fields")]
    [InlineData("* * 5L * *", "day-of-month", "5L", "'5L' (last given day of the week) is only allowed in the day-of-week field")]
    [InlineData("* * FRIL * *", "day-of-month", "FRIL", "'FRIL' (last given day of the week) is only allowed in the day-of-week field")]
    [InlineData("* * * * L", "day-of-week", "L", "'L' in the day-of-week field must follow a day")]
    [InlineData("* * * * LW", "day-of-week", "LW", "'LW' is only allowed in the day-of-month field")]
    [InlineData("* * * * L-2", "day-of-week", "L-2", "'L-2' is only allowed in the day-of-month field")]
    [InlineData("* 5W * * *", "hour", "5W", "'W' in '5W' is only allowed in the day-of-month field")]
    [InlineData("* * * * 5w", "day-of-week", "5w", "'W' in '5w' is only allowed in the day-of-month field")]
    [InlineData("* * * l *", "month", "l", "'L' in 'l' is only allowed in the day-of-month and day-of-week fields")]
    [InlineData("* * * * 5W", "day-of-week", "5W", "'W' in '5W' is only allowed in the day-of-month field")]
    [InlineData("* * 5#3 * *", "day-of-month", "5#3", "'#' in '5#3' is only allowed in the day-of-week field")]
    [InlineData("5#3 * * * *", "minute", "5#3", "'#' in '5#3' is only allowed in the day-of-week field")]
    // bad day rules
    [InlineData("* * * * 5#6", "day-of-week", "5#6", "occurrence 6 in '5#6' is out of range 1-5")]
    [InlineData("* * * * FRI#0", "day-of-week", "FRI#0", "occurrence 0 in 'FRI#0' is out of range 1-5")]
    [InlineData("* * * * 8#1", "day-of-week", "8#1", "value 8 is out of range 0-7")]
    [InlineData("* * * * #2", "day-of-week", "#2", "'#2' is not valid")]
    [InlineData("* * * * 5#", "day-of-week", "5#", "'5#' is not valid")]
    [InlineData("* * * * 9L", "day-of-week", "9L", "value 9 is out of range 0-7")]
    [InlineData("* * L-31 * *", "day-of-month", "L-31", "offset 31 in 'L-31' is out of range 0-30")]
    [InlineData("* * L-x * *", "day-of-month", "L-x", "'L-x' is not valid")]
    [InlineData("* * 32W * *", "day-of-month", "32W", "value 32 is out of range 1-31")]
    [InlineData("* * 0W * *", "day-of-month", "0W", "value 0 is out of range 1-31")]
    [InlineData("* * L/2 * *", "day-of-month", "L/2", "'L' is not a number")]
    [InlineData("* * L-W * *", "day-of-month", "L-W", "'L-W' is not valid; expected 'L-n' or 'L-nW'")]
    [InlineData("* * L- * *", "day-of-month", "L-", "'L-' is not valid; expected 'L-n' or 'L-nW'")]
    [InlineData("* * L-31W * *", "day-of-month", "L-31W", "offset 31 in 'L-31W' is out of range 0-30")]
    [InlineData("* * * * L-3W", "day-of-week", "L-3W", "'L-3W' is only allowed in the day-of-month field")]
    // W takes a single day: not in a list, a range or with a step
    [InlineData("* * 1,2W * *", "day-of-month", "1,2W", "'2W' cannot be part of a list; 'W' takes a single day")]
    [InlineData("* * 15W,L * *", "day-of-month", "15W,L", "'15W' cannot be part of a list")]
    [InlineData("* * 1,LW * *", "day-of-month", "1,LW", "'LW' cannot be part of a list")]
    [InlineData("* * L-3W,15 * *", "day-of-month", "L-3W,15", "'L-3W' cannot be part of a list")]
    [InlineData("* * 1-5W * *", "day-of-month", "1-5W", "'W' in '1-5W' cannot be used with a range or step; it takes a single day")]
    [InlineData("* * 1W-5 * *", "day-of-month", "1W-5", "'W' in '1W-5' cannot be used with a range or step")]
    [InlineData("* * 15W/2 * *", "day-of-month", "15W/2", "'W' in '15W/2' cannot be used with a range or step")]
    public void FieldErrors_NameTheFieldAndQuoteTheText(string expression, string field, string fieldText, string problem)
    {
        CronFormatException ex = ParseError(expression);
        Assert.Equal(field, ex.Field);
        Assert.StartsWith($"{field} field '{fieldText}': ", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void ExampleMessage_IsExact()
    {
        Assert.Equal("minute field '61': value 61 is out of range 0-59", ParseError("61 * * * *").Message);
    }

    [Theory]
    [InlineData("* * * *", 4)]
    [InlineData("* * * * * * *", 7)]
    [InlineData("*", 1)]
    [InlineData("0 0 1 1 * 2026 x", 7)]
    public void WrongFieldCount_NamesTheCount(string expression, int count)
    {
        CronFormatException ex = ParseError(expression);
        Assert.Null(ex.Field);
        Assert.Contains($"has {count} field", ex.Message);
        Assert.Contains($"'{expression}'", ex.Message);
        Assert.Contains("expected 5", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void EmptyExpression(string expression)
    {
        CronFormatException ex = ParseError(expression);
        Assert.Null(ex.Field);
        Assert.Contains("empty", ex.Message);
    }

    [Theory]
    [InlineData("@reboot")]
    [InlineData("@every 5m")]
    [InlineData("@")]
    public void UnknownMacro(string expression)
    {
        CronFormatException ex = ParseError(expression);
        Assert.Null(ex.Field);
        Assert.Contains($"unknown macro '{expression}'", ex.Message);
    }

    [Fact]
    public void IsAFormatException()
    {
        Assert.IsAssignableFrom<FormatException>(ParseError("* * * * 8"));
    }
}
