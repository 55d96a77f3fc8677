using System.Globalization;
using System.Numerics;

namespace Kairos.Cron;

/// <summary>
/// A cron expression in English, read from its parsed fields: "At 09:00, Monday to Friday,
/// Europe/Paris", "Every 15 minutes", "At 00:00, on day 1 of the month". The words follow what
/// fires (each field's bit set and day rules), not how it was written, so names, lists, ranges,
/// steps, wrap-around ranges, L, W and # are all described by their meaning.
/// <para>
/// The parts, in order: the time of day, the days (day-of-month and day-of-week joined by "or"
/// when both are restricted, as the schedule matches either), the months, the time zone.
/// </para>
/// </summary>
internal static class CronDescription
{
    private static readonly string[] DayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

    private static readonly string[] NthWords = ["", "first", "second", "third", "fourth", "fifth"];

    private static readonly string[] MonthNames =
        ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

    /// <summary>The schedule in words, with <paramref name="timeZone"/> appended when given.</summary>
    public static string Describe(CronSchedule schedule, string? timeZone = null) => Describe(schedule.Fields, timeZone);

    public static string Describe(CronFields fields, string? timeZone = null)
    {
        var parts = new List<string> { TimeOfDay(fields) };
        parts.AddRange(new[] { Days(fields), Months(fields.Month), timeZone }.OfType<string>());
        var text = string.Join(", ", parts);
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    private static string TimeOfDay(CronFields f)
    {
        var s = CronValuePattern.Of(f.Second.Values, 0, 59);
        var m = CronValuePattern.Of(f.Minute.Values, 0, 59);
        var h = CronValuePattern.Of(f.Hour.Values, 0, 23);

        // A handful of exact times of day: named one by one.
        if (s.Shape == CronValueShape.Runs && m.Shape == CronValueShape.Runs && h.Shape == CronValueShape.Runs && s.Count * m.Count * h.Count <= 6)
        {
            var withSeconds = Values(f.Second.Values).Any(v => v != 0);
            var times = from hour in Values(f.Hour.Values) from minute in Values(f.Minute.Values) from second in Values(f.Second.Values)
                        select Clock(hour, minute, withSeconds ? second : null);
            return "at " + Join(times.ToList());
        }
        if (m.IsSingle && s.IsSingle)
        {
            return FixedMinute(h, f.Hour.Values, m.Start, s.Start);
        }
        var parts = new List<string>();
        if (!s.IsSingle)
        {
            parts.Add(Series(s, "second", within: false)!);
        }
        else if (s.Start != 0)
        {
            parts.Add($"at second {s.Start}");
        }
        if (m.IsSingle && h.IsSingle)
        {
            parts.Add($"during the minute {Clock(h.Start, m.Start, null)}");
            return string.Join(", ", parts);
        }
        if (m.Shape == CronValueShape.All && s.IsSingle)
        {
            parts.Add("every minute");
        }
        else if (Series(m, "minute", within: !s.IsSingle) is { } minutes)
        {
            parts.Add(minutes);
        }
        if (HoursWithin(h) is { } hours)
        {
            parts.Add(hours);
        }
        return string.Join(", ", parts);
    }

    /// <summary>One fire per chosen hour, at the same minute and second.</summary>
    private static string FixedMinute(CronValuePattern h, ulong hours, int minute, int second)
    {
        string At(int hour) => Clock(hour, minute, second == 0 ? null : second);
        return h.Shape switch
        {
            CronValueShape.All when minute == 0 && second == 0 => "every hour",
            CronValueShape.All => $"at {Plural(minute, "minute")}{(second == 0 ? "" : " " + Plural(second, "second"))} past every hour",
            CronValueShape.Step => $"every {h.Step} hours" + (h.Start != 0 || minute != 0 || second != 0 ? $", starting at {At(h.Start)}" : ""),
            CronValueShape.SteppedRange => $"every {h.Step} hours from {At(h.Start)} through {At(h.Last)}",
            _ when h.Runs.All(r => RunLength(r, 24) < 3) => "at " + Join(Values(hours).Select(At).ToList()),
            _ => "every hour " + Join(h.Runs.Select(r => r.From == r.To ? $"at {At(r.From)}" : $"from {At(r.From)} through {At(r.To)}").ToList()),
        };
    }

    /// <summary>The hours in which a finer field varies.</summary>
    private static string? HoursWithin(CronValuePattern h) => h.Shape switch
    {
        CronValueShape.All => null,
        CronValueShape.Step => $"in every {Ordinal(h.Step)} hour" + (h.Start != 0 ? $" starting at {Clock(h.Start, 0, null)}" : ""),
        CronValueShape.SteppedRange => $"in every {Ordinal(h.Step)} hour from {Clock(h.Start, 0, null)} through {Clock(h.Last, 59, null)}",
        _ => Join(h.Runs.Select(r => $"between {Clock(r.From, 0, null)} and {Clock(r.To, 59, null)}").ToList()),
    };

    /// <summary>
    /// Seconds or minutes. <paramref name="within"/>: a finer field varies inside each chosen value,
    /// so a step reads "in every 15th minute" rather than "every 15 minutes".
    /// </summary>
    private static string? Series(CronValuePattern p, string unit, bool within)
    {
        var from = p.Start != 0 ? $" starting at {unit} {p.Start}" : "";
        return p.Shape switch
        {
            CronValueShape.All => within ? null : $"every {unit}",
            CronValueShape.Step => within ? $"in every {Ordinal(p.Step)} {unit}{from}" : $"every {p.Step} {unit}s{from}",
            CronValueShape.SteppedRange => (within ? $"in every {Ordinal(p.Step)} {unit}" : $"every {p.Step} {unit}s") + $" from {unit} {p.Start} through {p.Last}",
            _ => $"{(within ? "during" : "at")} {unit}{(p.Count == 1 ? "" : "s")} {Items(p.Runs, v => v.ToString(CultureInfo.InvariantCulture), "through")}",
        };
    }

    private static string? Days(CronFields f)
    {
        var dom = f.DayOfMonth.IsUnrestricted ? null : DaysOfMonth(f.DayOfMonth);
        var dow = f.DayOfWeek.IsUnrestricted ? null : DaysOfWeek(f.DayOfWeek, bare: dom is null);
        return dom is not null && dow is not null ? $"{dom} or {dow}" : dom ?? dow;
    }

    private static string DaysOfMonth(CronField field)
    {
        var phrases = new List<string>();
        if ((field.Values & ~1UL) != 0)
        {
            var p = CronValuePattern.Of(field.Values, 1, 31);
            phrases.Add(p.Shape switch
            {
                CronValueShape.All => "every day of the month",
                CronValueShape.Step => $"every {p.Step} days of the month" + (p.Start != 1 ? $" starting on day {p.Start}" : ""),
                CronValueShape.SteppedRange => $"every {p.Step} days from day {p.Start} through day {p.Last} of the month",
                _ => $"on day{(p.Count == 1 ? "" : "s")} {Items(p.Runs, v => v.ToString(CultureInfo.InvariantCulture), "through")} of the month",
            });
        }
        foreach (var n in Bits(field.LastDayOffsets))
        {
            phrases.Add(n == 0 ? "on the last day of the month" : $"{Plural(n, "day")} before the last day of the month");
        }
        foreach (var n in Bits(field.LastDayNearestWeekdays))
        {
            phrases.Add(n == 0 ? "on the last weekday of the month" : $"on the weekday nearest to {Plural(n, "day")} before the last day of the month");
        }
        foreach (var n in Bits(field.NearestWeekdays))
        {
            phrases.Add($"on the weekday nearest to day {n} of the month");
        }
        return Join(phrases);
    }

    /// <summary>The day-of-week field; <paramref name="bare"/>: one range of days alone reads "Monday to Friday", without "on".</summary>
    private static string DaysOfWeek(CronField field, bool bare)
    {
        var phrases = new List<string>();
        if ((field.Values & 0x7F) != 0)
        {
            var p = CronValuePattern.Of(field.Values & 0x7F, 0, 6, steps: false);
            var days = p.Shape == CronValueShape.All ? "every day of the week" : Items(p.Runs, v => DayNames[v], "to", cycle: 7);
            var alone = bare && !field.HasCalendarRules && p.Runs.Count == 1 && RunLength(p.Runs[0], 7) >= 3;
            phrases.Add(alone || p.Shape == CronValueShape.All ? days : "on " + days);
        }
        for (var d = 0; d < 7; d++)
        {
            if ((field.LastDaysOfWeek & (1 << d)) != 0)
            {
                phrases.Add($"on the last {DayNames[d]} of the month");
            }
        }
        foreach (var bit in Bits(field.NthDaysOfWeek))
        {
            phrases.Add($"on the {NthWords[bit % 8]} {DayNames[bit / 8]} of the month");
        }
        return Join(phrases);
    }

    private static string? Months(CronField field)
    {
        var p = CronValuePattern.Of(field.Values, 1, 12);
        if (p.Shape == CronValueShape.All)
        {
            return null;
        }
        if (p.Shape == CronValueShape.Step && p.Count > 4)
        {
            return $"every {p.Step} months" + (p.Start != 1 ? $" starting in {MonthNames[p.Start]}" : "");
        }
        return "in " + Items(CronValuePattern.Of(field.Values, 1, 12, steps: false).Runs, v => MonthNames[v], "through", cycle: 12);
    }

    /// <summary>Runs as "1 through 7, 15 and 20": a run of two reads as its two values.</summary>
    private static string Items(IReadOnlyList<(int From, int To)> runs, Func<int, string> name, string through, int cycle = 0)
    {
        var items = new List<string>();
        foreach (var (from, to) in runs)
        {
            var length = cycle == 0 ? to - from + 1 : RunLength((from, to), cycle);
            if (length == 1)
            {
                items.Add(name(from));
            }
            else if (length == 2)
            {
                items.Add(name(from));
                items.Add(name(to));
            }
            else
            {
                items.Add($"{name(from)} {through} {name(to)}");
            }
        }
        return Join(items);
    }

    /// <summary>Values in a run, counting across the wrap (Saturday to Tuesday is 4 days).</summary>
    private static int RunLength((int From, int To) run, int cycle) =>
        run.From <= run.To ? run.To - run.From + 1 : run.To - run.From + 1 + cycle;

    private static IEnumerable<int> Values(ulong bits) => Bits(bits);

    private static IEnumerable<int> Bits(ulong bits)
    {
        while (bits != 0)
        {
            yield return BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
        }
    }

    private static string Clock(int hour, int minute, int? second) =>
        second is { } s
            ? string.Create(CultureInfo.InvariantCulture, $"{hour:00}:{minute:00}:{s:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{hour:00}:{minute:00}");

    private static string Plural(int n, string unit) => string.Create(CultureInfo.InvariantCulture, $"{n} {unit}{(n == 1 ? "" : "s")}");

    /// <summary>"2nd", "15th": in figures, since "every second minute" would read as a unit.</summary>
    private static string Ordinal(int n) => n switch
    {
        _ when n % 100 is 11 or 12 or 13 => $"{n}th",
        _ when n % 10 == 1 => $"{n}st",
        _ when n % 10 == 2 => $"{n}nd",
        _ when n % 10 == 3 => $"{n}rd",
        _ => $"{n}th",
    };

    private static string Join(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };
}
