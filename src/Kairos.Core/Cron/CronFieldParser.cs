using System.Globalization;

namespace Kairos.Cron;

/// <summary>
/// Parses the text of a single cron field into a <see cref="CronField"/>.
/// Grammar of one field (items separated by ','):
/// <code>
///   item   := '*' | value | value '-' value            (optionally followed by '/' step)
///           | value '/' step                           (value to the field maximum)
///   day-of-month only: 'L' | 'L-' n | 'LW' | 'L-' n 'W' | n 'W'   ('W' forms only as the whole field)
///   day-of-week only:  day 'L' | day '#' n             (n = 1..5)
///   '?' must be the whole field and means the same as '*'.
/// </code>
/// A range whose start is above its end wraps around the end of the field (hours '22-2').
/// Month names JAN-DEC and day names SUN-SAT are accepted, case-insensitively, wherever a
/// value of that field is.
/// </summary>
internal static class CronFieldParser
{
    private static readonly string[] MonthNames =
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    public static CronField Parse(string text, CronFieldKind kind)
    {
        var field = new CronField(kind, text);

        if (text == "*" || text == "?")
        {
            field.IsUnrestricted = true;
            field.Values = Bits(kind, kind.Min(), kind.ImpliedMax(), 1);
            return field;
        }

        string[] items = text.Split(',');
        bool onlyPlainValues = true;
        foreach (string item in items)
        {
            if (item.Length == 0)
            {
                throw Error(kind, text, "empty list item");
            }

            // 'W' names the weekday nearest to one day; like other schedulers we refuse it next to other days.
            if (items.Length > 1 && kind == CronFieldKind.DayOfMonth && EndsWithW(item))
            {
                throw Error(kind, text, $"'{item}' cannot be part of a list; 'W' takes a single day, e.g. '15W' or 'L-3W'");
            }

            onlyPlainValues &= ParseItem(field, item, text);
        }

        field.IsFixedValues = onlyPlainValues;
        return field;
    }

    /// <summary>Parses one list item into <paramref name="field"/>; returns true if it was a plain value.</summary>
    private static bool ParseItem(CronField field, string item, string text)
    {
        CronFieldKind kind = field.Kind;

        if (item == "?")
        {
            throw Error(kind, text, "'?' must be the whole field, not part of a list");
        }

        if (item.Contains('#'))
        {
            ParseNthDayOfWeek(field, item, text);
            return false;
        }

        bool lastForm = Is(item, "L") || Is(item, "LW") || item.StartsWith("L-", StringComparison.OrdinalIgnoreCase);
        bool suffixW = item.Length > 1 && EndsWithW(item) && IsDigits(item[..^1]);
        bool suffixL = item.Length > 1 && char.ToUpperInvariant(item[^1]) == 'L'
            && (IsDigits(item[..^1]) || IndexOfName(DayNames, item[..^1]) >= 0);

        if (lastForm)
        {
            ParseLastDayOfMonth(field, item, text);
            return false;
        }

        if (suffixW)
        {
            if (kind != CronFieldKind.DayOfMonth)
            {
                throw Error(kind, text, $"'W' in '{item}' is only allowed in the day-of-month field");
            }

            int day = ParseValue(kind, item[..^1], text);
            field.NearestWeekdays |= 1UL << day;
            return false;
        }

        if (suffixL)
        {
            if (kind != CronFieldKind.DayOfWeek)
            {
                throw Error(kind, text, IsDayField(kind)
                    ? $"'{item}' (last given day of the week) is only allowed in the day-of-week field"
                    : $"'L' in '{item}' is only allowed in the day-of-month and day-of-week fields");
            }

            int dow = ParseValue(kind, item[..^1], text);
            field.LastDaysOfWeek |= 1 << (dow % 7);
            return false;
        }

        return ParseRangeItem(field, item, text);
    }

    /// <summary>'*', 'a', 'a-b', each optionally with '/step'.</summary>
    private static bool ParseRangeItem(CronField field, string item, string text)
    {
        CronFieldKind kind = field.Kind;
        if (kind == CronFieldKind.DayOfMonth && item.IndexOfAny(['-', '/']) >= 0 && item.Contains('W', StringComparison.OrdinalIgnoreCase))
        {
            throw Error(kind, text, $"'W' in '{item}' cannot be used with a range or step; it takes a single day, e.g. '15W'");
        }
        string basePart = item;
        int step = 1;
        bool hasStep = false;

        int slash = item.IndexOf('/');
        if (slash >= 0)
        {
            hasStep = true;
            basePart = item[..slash];
            string stepPart = item[(slash + 1)..];
            if (basePart.Length == 0)
            {
                throw Error(kind, text, $"missing start before '/' in '{item}'");
            }

            if (!IsDigits(stepPart))
            {
                throw Error(kind, text, $"step '{stepPart}' in '{item}' is not a number");
            }

            int span = kind.ImpliedMax() - kind.Min() + 1;
            step = ParseNumber(stepPart);
            if (step == 0)
            {
                throw Error(kind, text, $"step in '{item}' is zero; it must be at least 1");
            }

            // A step as large as the field would keep only its start (*/60 minutes is minute 0):
            // almost always a mistake for "every hour", and refused as Quartz and Cronos refuse it.
            if (step >= span)
            {
                throw Error(kind, text, $"step {stepPart} in '{item}' is out of range 1-{span - 1}");
            }
        }

        int low;
        int high;
        bool single = false;
        if (basePart == "*")
        {
            low = kind.Min();
            high = kind.ImpliedMax();
        }
        else
        {
            int dash = basePart.IndexOf('-');
            if (dash >= 0)
            {
                string start = basePart[..dash];
                string end = basePart[(dash + 1)..];
                if (start.Length == 0 || end.Length == 0)
                {
                    throw Error(kind, text, $"incomplete range '{item}'");
                }

                // A start above the end wraps around (see Bits).
                low = ParseValue(kind, start, text);
                high = ParseValue(kind, end, text);
            }
            else
            {
                low = ParseValue(kind, basePart, text);
                high = hasStep ? Math.Max(low, kind.ImpliedMax()) : low;
                single = !hasStep;
            }
        }

        field.Values |= Bits(kind, low, high, step);
        return single;
    }

    /// <summary>day-of-month 'L', 'L-n', 'LW' and 'L-nW'.</summary>
    private static void ParseLastDayOfMonth(CronField field, string item, string text)
    {
        CronFieldKind kind = field.Kind;
        if (kind == CronFieldKind.DayOfWeek)
        {
            throw Error(kind, text, Is(item, "L")
                ? "'L' in the day-of-week field must follow a day, e.g. '5L' or 'FRIL'"
                : $"'{item}' is only allowed in the day-of-month field");
        }

        if (kind != CronFieldKind.DayOfMonth)
        {
            throw Error(kind, text, $"'L' in '{item}' is only allowed in the day-of-month and day-of-week fields");
        }

        // "L" = "L-0" and "LW" = "L-0W".
        bool nearestWeekday = char.ToUpperInvariant(item[^1]) == 'W';
        string offsetText = Is(item, "L") || Is(item, "LW") ? "0" : item[2..(nearestWeekday ? ^1 : ^0)];
        if (!IsDigits(offsetText))
        {
            throw Error(kind, text, $"'{item}' is not valid; expected 'L-n' or 'L-nW' with n a number of days, e.g. 'L-3' or 'L-3W'");
        }

        int offset = ParseNumber(offsetText);
        if (offset > 30)
        {
            throw Error(kind, text, $"offset {offsetText} in '{item}' is out of range 0-30");
        }

        if (nearestWeekday)
        {
            field.LastDayNearestWeekdays |= 1UL << offset;
        }
        else
        {
            field.LastDayOffsets |= 1UL << offset;
        }
    }

    /// <summary>day-of-week 'd#n'.</summary>
    private static void ParseNthDayOfWeek(CronField field, string item, string text)
    {
        CronFieldKind kind = field.Kind;
        if (kind != CronFieldKind.DayOfWeek)
        {
            throw Error(kind, text, $"'#' in '{item}' is only allowed in the day-of-week field");
        }

        int hash = item.IndexOf('#');
        string dayText = item[..hash];
        string ordinalText = item[(hash + 1)..];
        if (dayText.Length == 0 || !IsDigits(ordinalText))
        {
            throw Error(kind, text, $"'{item}' is not valid; expected day#occurrence, e.g. '5#3' or 'FRI#3'");
        }

        int dow = ParseValue(kind, dayText, text);
        int ordinal = ParseNumber(ordinalText);
        if (ordinal < 1 || ordinal > 5)
        {
            throw Error(kind, text, $"occurrence {ordinalText} in '{item}' is out of range 1-5");
        }

        field.NthDaysOfWeek |= 1UL << ((dow % 7 * 8) + ordinal);
    }

    /// <summary>A number or (month / day-of-week only) a name, checked against the field's range.</summary>
    private static int ParseValue(CronFieldKind kind, string token, string text)
    {
        if (IsDigits(token))
        {
            int value = ParseNumber(token);
            if (value < kind.Min() || value > kind.Max())
            {
                throw Error(kind, text, $"value {token} is out of range {kind.Min()}-{kind.Max()}");
            }

            return value;
        }

        if (!IsLetters(token))
        {
            throw Error(kind, text, $"'{token}' is not a number");
        }

        if (kind == CronFieldKind.Month)
        {
            int index = IndexOfName(MonthNames, token);
            return index >= 0 ? index + 1 : throw Error(kind, text, $"unknown month name '{token}'");
        }

        if (kind == CronFieldKind.DayOfWeek)
        {
            int index = IndexOfName(DayNames, token);
            return index >= 0 ? index : throw Error(kind, text, $"unknown day name '{token}'");
        }

        throw Error(kind, text, $"'{token}' is not a number");
    }

    /// <summary>Parses ASCII digits; values too large for an int become int.MaxValue (and then fail range checks).</summary>
    private static int ParseNumber(string digits) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : int.MaxValue;

    private static bool IsDigits(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool EndsWithW(string item) => char.ToUpperInvariant(item[^1]) == 'W';

    private static bool Is(string item, string keyword) =>
        string.Equals(item, keyword, StringComparison.OrdinalIgnoreCase);

    private static int IndexOfName(string[] names, string token) =>
        Array.FindIndex(names, name => string.Equals(name, token, StringComparison.OrdinalIgnoreCase));

    private static bool IsLetters(string s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return s.Length > 0;
    }

    private static bool IsDayField(CronFieldKind kind) =>
        kind is CronFieldKind.DayOfMonth or CronFieldKind.DayOfWeek;

    /// <summary>
    /// The values low, low + step, ... up to high. When low is above high the range wraps past the
    /// field's end back to its start (hours 22-2 = 22,23,0,1,2; day-of-month 28-3 wraps after 31), and
    /// the step keeps counting from low across the wrap (minutes 20-5/5 = 20,...,55,0,5), as in Quartz
    /// and Cronos. Day-of-week cycles through 0-6, so 7 and 0 are both Sunday.
    /// </summary>
    private static ulong Bits(CronFieldKind kind, int low, int high, int step)
    {
        int min = kind.Min();
        int cycle = kind.ImpliedMax() - min + 1;
        int length = low <= high ? high - low : high - low + cycle;
        ulong bits = 0;
        for (int offset = 0; offset <= length; offset += step)
        {
            bits |= 1UL << (min + ((low + offset - min) % cycle));
        }

        return bits;
    }

    private static CronFormatException Error(CronFieldKind kind, string text, string problem) =>
        CronFormatException.ForField(kind, text, problem);
}
