using System.Globalization;
using Kairos.Cron;

namespace Kairos.Tests.Cron;

/// <summary>
/// A custom zone (UTC+03:00, daylight +04:00) whose gap and overlap straddle local midnight:
/// clocks jump from 23:30 to 00:30 on the night after the last Sunday of March, and fall back from
/// 00:30 to 23:30 at the start of the last Sunday of October. Also resolves zone ids for other tests.
/// </summary>
public sealed class MidnightZoneTests
{
    [Fact]
    public void Zone_HasTheIntendedTransitions()
    {
        TimeZoneInfo zone = MidnightZone.Zone;
        // 2026-03-29 is the last Sunday of March: 23:30 (+03:00) is 20:30 UTC.
        Assert.Equal(TimeSpan.FromHours(3), zone.GetUtcOffset(new DateTime(2026, 3, 29, 20, 29, 59, DateTimeKind.Utc)));
        Assert.Equal(TimeSpan.FromHours(4), zone.GetUtcOffset(new DateTime(2026, 3, 29, 20, 30, 0, DateTimeKind.Utc)));
        // 2026-10-25 is the last Sunday of October: 00:30 (+04:00) is 20:30 UTC on the 24th.
        Assert.Equal(TimeSpan.FromHours(4), zone.GetUtcOffset(new DateTime(2026, 10, 24, 20, 29, 59, DateTimeKind.Utc)));
        Assert.Equal(TimeSpan.FromHours(3), zone.GetUtcOffset(new DateTime(2026, 10, 24, 20, 30, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void GapAcrossMidnight_FiresOnceAtGapEnd()
    {
        Assert.Equal(
            ["2026-03-29T23:15:00+03:00", "2026-03-30T00:30:00+04:00", "2026-03-30T00:45:00+04:00"],
            Next("*/15 0,23 * * *", "2026-03-29T23:00:00+03:00", 3));
        Assert.Equal(
            ["2026-03-30T00:30:00+04:00", "2026-03-30T23:45:00+04:00"],
            Next("45 23 * * *", "2026-03-29T12:00:00+03:00", 2));
        Assert.Equal(
            ["2026-03-30T00:30:00+04:00", "2026-03-31T00:00:00+04:00"],
            Next("0 0 * * *", "2026-03-29T12:00:00+03:00", 2));
    }

    [Fact]
    public void OverlapAcrossMidnight_SecondPassOfThePreviousDayComesAfterTheFirstPassOfToday()
    {
        // Local 23:30-00:30 happens twice. After 00:10 (first pass, Sunday) comes 23:30 (second pass, Saturday).
        Assert.Equal(
            ["2026-10-25T00:15:00+04:00", "2026-10-24T23:30:00+03:00", "2026-10-24T23:45:00+03:00", "2026-10-25T00:00:00+03:00", "2026-10-25T00:15:00+03:00", "2026-10-25T00:30:00+03:00"],
            Next("*/15 0,23 * * *", "2026-10-25T00:10:00+04:00", 6));
        // Fixed times fire on the first pass only.
        Assert.Equal(
            ["2026-10-26T00:15:00+03:00"],
            Next("15 0 * * *", "2026-10-25T00:15:00+04:00", 1));
        Assert.Equal(
            ["2026-10-24T23:45:00+04:00", "2026-10-25T23:45:00+03:00"],
            Next("45 23 * * *", "2026-10-24T12:00:00+04:00", 2));
    }

    private static string[] Next(string expression, string after, int count) =>
        CronSchedule.Parse(expression)
            .GetOccurrences(DateTimeOffset.Parse(after, CultureInfo.InvariantCulture), MidnightZone.Zone)
            .Take(count)
            .Select(o => o.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture))
            .ToArray();
}

/// <summary>Builds the custom zone used by <see cref="MidnightZoneTests"/> and the oracle tests.</summary>
internal static class MidnightZone
{
    public const string Id = "Test/MidnightShift";

    public static readonly TimeZoneInfo Zone = Create();

    /// <summary>The custom zone for <see cref="Id"/>, otherwise the system zone with that IANA id.</summary>
    public static TimeZoneInfo Find(string id) => id == Id ? Zone : TimeZoneInfo.FindSystemTimeZoneById(id);

    private static TimeZoneInfo Create()
    {
        // Daylight time starts at 23:30 standard time on the last Sunday of March (the gap runs to 00:30 Monday)
        // and ends at 00:30 daylight time on the last Sunday of October (back to 23:30 Saturday).
        var start = TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 23, 30, 0), 3, 5, DayOfWeek.Sunday);
        var end = TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 0, 30, 0), 10, 5, DayOfWeek.Sunday);
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(
            new DateTime(2000, 1, 1), new DateTime(2099, 12, 31), TimeSpan.FromHours(1), start, end);
        return TimeZoneInfo.CreateCustomTimeZone(Id, TimeSpan.FromHours(3), "Midnight shift", "MST", "MDT", [rule]);
    }
}
