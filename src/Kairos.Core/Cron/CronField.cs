namespace Kairos.Cron;

/// <summary>
/// One parsed cron field. Plain values are kept as a bit set (bit n set = value n allowed);
/// the day fields additionally keep their calendar-relative rules (L, W, #), which can only
/// be resolved once the year and month are known (see <see cref="CronDayMatcher"/>).
/// </summary>
internal sealed class CronField
{
    public CronField(CronFieldKind kind, string text)
    {
        Kind = kind;
        Text = text;
    }

    public CronFieldKind Kind { get; }

    /// <summary>The field exactly as written.</summary>
    public string Text { get; }

    /// <summary>Bit n set when plain value n matches. Day-of-week uses bits 0-6 (0 = Sunday).</summary>
    public ulong Values { get; set; }

    /// <summary>True when the field is "*" or "?": it places no restriction at all.</summary>
    public bool IsUnrestricted { get; set; }

    /// <summary>True when the field is a plain value or a list of them (no '*', range or step).</summary>
    public bool IsFixedValues { get; set; }

    // ---- day-of-month rules ----

    /// <summary>Bit n set for "L-n" (bit 0 for "L"): the day n days before the last day of the month.</summary>
    public ulong LastDayOffsets { get; set; }

    /// <summary>
    /// Bit n set for "L-nW" (bit 0 for "LW"): the weekday nearest to the day n days before the last
    /// day of the month, staying inside the month.
    /// </summary>
    public ulong LastDayNearestWeekdays { get; set; }

    /// <summary>Bit n set for "nW": the weekday nearest to day n, staying inside the month.</summary>
    public ulong NearestWeekdays { get; set; }

    // ---- day-of-week rules ----

    /// <summary>Bit d set for "dL": the last day-of-week d of the month (0 = Sunday).</summary>
    public int LastDaysOfWeek { get; set; }

    /// <summary>Bit (d * 8 + n) set for "d#n": the n-th (1-5) day-of-week d of the month.</summary>
    public ulong NthDaysOfWeek { get; set; }

    /// <summary>True when the field holds any rule besides plain values.</summary>
    public bool HasCalendarRules =>
        LastDayOffsets != 0 || LastDayNearestWeekdays != 0 || NearestWeekdays != 0 || LastDaysOfWeek != 0 || NthDaysOfWeek != 0;
}
