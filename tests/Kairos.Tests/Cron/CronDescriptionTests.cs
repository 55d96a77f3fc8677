using Kairos.Cron;

namespace Kairos.Tests.Cron;

/// <summary>Every form the parser accepts reads as correct English: what fires, not how it was written.</summary>
public sealed class CronDescriptionTests
{
    [Theory]
    [InlineData("0 9 * * MON-FRI", "Europe/Paris", "At 09:00, Monday to Friday, Europe/Paris")]
    [InlineData("*/15 * * * *", null, "Every 15 minutes")]
    [InlineData("0 0 1 * *", null, "At 00:00, on day 1 of the month")]
    [InlineData("* * * * *", null, "Every minute")]
    [InlineData("* * * * * *", null, "Every second")]
    [InlineData("*/10 * * * * *", null, "Every 10 seconds")]
    [InlineData("0 * * * *", null, "Every hour")]
    [InlineData("@hourly", null, "Every hour")]
    [InlineData("@yearly", null, "At 00:00, on day 1 of the month, in January")]
    [InlineData("@weekly", null, "At 00:00, on Sunday")]
    [InlineData("5 * * * *", null, "At 5 minutes past every hour")]
    [InlineData("0 */2 * * *", null, "Every 2 hours")]
    [InlineData("30 */2 * * *", null, "Every 2 hours, starting at 00:30")]
    [InlineData("0 9,17 * * *", null, "At 09:00 and 17:00")]
    [InlineData("0,30 9 * * *", null, "At 09:00 and 09:30")]
    [InlineData("0 9-17 * * *", null, "Every hour from 09:00 through 17:00")]
    [InlineData("*/15 9-17 * * 1-5", null, "Every 15 minutes, between 09:00 and 17:59, Monday to Friday")]
    [InlineData("5/15 * * * *", null, "Every 15 minutes starting at minute 5")]
    [InlineData("10-40/10 * * * *", null, "Every 10 minutes from minute 10 through 40")]
    [InlineData("20-5/5 * * * *", null, "Every 5 minutes from minute 20 through 5")]
    [InlineData("55-5 * * * *", null, "At minutes 55 through 5")]
    [InlineData("0 22-2 * * *", null, "At 00:00, 01:00, 02:00, 22:00 and 23:00")]
    [InlineData("* 22-2 * * *", null, "Every minute, between 22:00 and 02:59")]
    [InlineData("0 0 * * SAT-TUE", null, "At 00:00, Saturday to Tuesday")]
    [InlineData("0 0 * * 5-7", null, "At 00:00, Friday to Sunday")]
    [InlineData("0 0 * * 1,3,5", null, "At 00:00, on Monday, Wednesday and Friday")]
    [InlineData("0 0 * * 6,0", null, "At 00:00, on Saturday and Sunday")]
    [InlineData("0 0 L * *", null, "At 00:00, on the last day of the month")]
    [InlineData("0 0 L-3 * *", null, "At 00:00, 3 days before the last day of the month")]
    [InlineData("0 0 LW * *", null, "At 00:00, on the last weekday of the month")]
    [InlineData("0 0 L-2W * *", null, "At 00:00, on the weekday nearest to 2 days before the last day of the month")]
    [InlineData("0 0 15W * *", null, "At 00:00, on the weekday nearest to day 15 of the month")]
    [InlineData("0 0 1,L * *", null, "At 00:00, on day 1 of the month and on the last day of the month")]
    [InlineData("0 0 * * FRI#3", null, "At 00:00, on the third Friday of the month")]
    [InlineData("0 0 * * 5L", null, "At 00:00, on the last Friday of the month")]
    [InlineData("0 0 1 * MON", null, "At 00:00, on day 1 of the month or on Monday")]
    [InlineData("0 0 1-7 * *", null, "At 00:00, on days 1 through 7 of the month")]
    [InlineData("0 0 */2 * *", null, "At 00:00, every 2 days of the month")]
    [InlineData("0 0 1 */3 *", null, "At 00:00, on day 1 of the month, in January, April, July and October")]
    [InlineData("0 0 1 JAN-MAR *", null, "At 00:00, on day 1 of the month, in January through March")]
    [InlineData("0 0 1 NOV-FEB *", null, "At 00:00, on day 1 of the month, in November through February")]
    [InlineData("30 0 9 * * *", null, "At 09:00:30")]
    [InlineData("*/10 30 9 * * *", null, "Every 10 seconds, during the minute 09:30")]
    [InlineData("5 */15 * * * *", null, "At second 5, every 15 minutes")]
    [InlineData("*/10 */15 * * * *", null, "Every 10 seconds, in every 15th minute")]
    [InlineData("0 0 */3 * * *", null, "Every 3 hours")]
    [InlineData("? * * * ?", null, "Every minute")]
    [InlineData("0 12 * * ?", "UTC", "At 12:00, UTC")]
    public void Describes_the_schedule(string expression, string? zone, string expected) =>
        Assert.Equal(expected, CronDescription.Describe(CronSchedule.Parse(expression), zone));

    [Fact]
    public void Every_combination_of_field_forms_reads_as_one_sentence_without_failing()
    {
        string[] seconds = ["0", "*", "*/7", "5/20", "10-40/10", "55-5", "50-10/5", "1,2,3", "30"];
        string[] minutes = ["0", "*", "*/15", "5", "0,30", "55-5", "20-5/5", "10-20"];
        string[] hours = ["0", "*", "*/2", "9-17", "22-2", "9,17", "1/3", "6-23/2"];
        string[] daysOfMonth = ["*", "?", "1", "L", "L-3", "LW", "L-2W", "15W", "1,L", "*/2", "28-3", "1-7"];
        string[] months = ["*", "1", "*/3", "NOV-FEB", "JAN,JUL", "2-11/2"];
        string[] daysOfWeek = ["*", "?", "MON-FRI", "SAT-TUE", "5L", "FRI#3", "0,6", "*/2", "7", "1#1,5L"];
        var count = 0;
        foreach (var s in seconds)
        {
            foreach (var m in minutes)
            {
                foreach (var h in hours)
                {
                    foreach (var dom in daysOfMonth)
                    {
                        foreach (var mon in months)
                        {
                            foreach (var dow in daysOfWeek)
                            {
                                var text = CronDescription.Describe(CronSchedule.Parse($"{s} {m} {h} {dom} {mon} {dow}"), "Europe/Paris");
                                Assert.True(char.IsUpper(text[0]) && text.EndsWith(", Europe/Paris", StringComparison.Ordinal) && !text.Contains(",,", StringComparison.Ordinal) && !text.Contains("  ", StringComparison.Ordinal), text);
                                count++;
                            }
                        }
                    }
                }
            }
        }
        Assert.Equal(seconds.Length * minutes.Length * hours.Length * daysOfMonth.Length * months.Length * daysOfWeek.Length, count);
    }
}
