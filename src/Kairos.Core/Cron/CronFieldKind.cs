namespace Kairos.Cron;

/// <summary>The six positions a cron field can occupy.</summary>
internal enum CronFieldKind
{
    Second,
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
}

/// <summary>Names and value ranges of each <see cref="CronFieldKind"/>.</summary>
internal static class CronFieldKindInfo
{
    /// <summary>The field's name as used in error messages ("day-of-month", ...).</summary>
    public static string Name(this CronFieldKind kind) => kind switch
    {
        CronFieldKind.Second => "second",
        CronFieldKind.Minute => "minute",
        CronFieldKind.Hour => "hour",
        CronFieldKind.DayOfMonth => "day-of-month",
        CronFieldKind.Month => "month",
        CronFieldKind.DayOfWeek => "day-of-week",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Smallest value that may be written in the field.</summary>
    public static int Min(this CronFieldKind kind) => kind switch
    {
        CronFieldKind.DayOfMonth or CronFieldKind.Month => 1,
        _ => 0,
    };

    /// <summary>
    /// Largest value that may be written in the field. For day-of-week this is 7
    /// (a second spelling of Sunday).
    /// </summary>
    public static int Max(this CronFieldKind kind) => kind switch
    {
        CronFieldKind.Second or CronFieldKind.Minute => 59,
        CronFieldKind.Hour => 23,
        CronFieldKind.DayOfMonth => 31,
        CronFieldKind.Month => 12,
        CronFieldKind.DayOfWeek => 7,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// Upper end used when a range is implied ("*", "*/n", "n/m"). Equals <see cref="Max"/>
    /// except for day-of-week, where it is 6 so that Sunday is not counted twice.
    /// </summary>
    public static int ImpliedMax(this CronFieldKind kind) =>
        kind == CronFieldKind.DayOfWeek ? 6 : kind.Max();
}
