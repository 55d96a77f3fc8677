namespace Kairos.Cron;

/// <summary>The shape of the values one cron field allows, read from its bit set (what fires, however it was written).</summary>
internal enum CronValueShape
{
    /// <summary>Every value of the field.</summary>
    All,

    /// <summary>Start, start + step, … to the end of the field (<c>*/15</c>, <c>5/15</c>).</summary>
    Step,

    /// <summary>Start, start + step, … up to <see cref="CronValuePattern.Last"/>, possibly across the field's wrap (<c>10-40/10</c>, <c>20-5/5</c>).</summary>
    SteppedRange,

    /// <summary>Runs of consecutive values (<c>5</c>, <c>9-17</c>, <c>1,15</c>, <c>22-2</c>), listed in <see cref="CronValuePattern.Runs"/>.</summary>
    Runs,
}

/// <summary>
/// Reads a field's bit set back into the pattern a person would write: every value, a step, a
/// stepped range, or runs of consecutive values. It works from the bits, not the text, so every
/// spelling the parser accepts (names, lists, wrap-around ranges, steps) is described by what it
/// fires. A run or a stepped range that crosses the field's end (hours 22-2) starts where the
/// wrapped series starts.
/// </summary>
internal sealed record CronValuePattern(CronValueShape Shape, int Start, int Step, int Last, IReadOnlyList<(int From, int To)> Runs)
{
    /// <summary>How many values the field allows.</summary>
    public int Count { get; private init; }

    public bool IsSingle => Shape == CronValueShape.Runs && Runs.Count == 1 && Runs[0].From == Runs[0].To;

    /// <param name="values">Bit n set when value n is allowed.</param>
    /// <param name="min">The field's first value.</param>
    /// <param name="max">The field's last value (day-of-week: 6).</param>
    /// <param name="steps">False to read a series as runs too (days of the week are named one by one).</param>
    public static CronValuePattern Of(ulong values, int min, int max, bool steps = true)
    {
        var set = new List<int>();
        for (var v = min; v <= max; v++)
        {
            if ((values & (1UL << v)) != 0)
            {
                set.Add(v);
            }
        }
        var cycle = max - min + 1;
        var count = set.Count;
        if (count == cycle)
        {
            return new CronValuePattern(CronValueShape.All, min, 1, max, [(min, max)]) { Count = count };
        }
        if (steps && count >= 3 && SteppedFrom(set, cycle) is var (start, step, last) && step > 1)
        {
            // A series that starts within its first step and reaches the field's end is "every n".
            var covering = start - min < step && last + step > max && start <= last;
            return new CronValuePattern(covering ? CronValueShape.Step : CronValueShape.SteppedRange, start, step, last, []) { Count = count };
        }
        return new CronValuePattern(CronValueShape.Runs, set[0], 1, set[^1], RunsOf(set, min, max)) { Count = count };
    }

    /// <summary>The values as one arithmetic series (start, step, last), allowing one wrap past the field's end; null when they are not.</summary>
    private static (int Start, int Step, int Last)? SteppedFrom(List<int> set, int cycle)
    {
        // Gaps between neighbours, the last one across the wrap; a series has every gap equal but at most one.
        var n = set.Count;
        var gaps = new int[n];
        for (var i = 0; i < n; i++)
        {
            gaps[i] = i + 1 < n ? set[i + 1] - set[i] : set[0] + cycle - set[^1];
        }
        var step = gaps[0] == gaps[1] ? gaps[0] : gaps[2 % n];
        var odd = Enumerable.Range(0, n).Where(i => gaps[i] != step).ToList();
        if (odd.Count > 1)
        {
            return null;
        }
        if (odd.Count == 0)
        {
            return (set[0], step, set[^1]); // The series closes on itself across the wrap: read it from the smallest value.
        }
        // The series starts after the odd gap and ends before it.
        var end = odd[0];
        return (set[(end + 1) % n], step, set[end]);
    }

    /// <summary>Runs of consecutive values; a run that ends at the field's end and one that starts at its beginning join (22-2).</summary>
    private static List<(int From, int To)> RunsOf(List<int> set, int min, int max)
    {
        var runs = new List<(int From, int To)>();
        foreach (var v in set)
        {
            if (runs.Count > 0 && runs[^1].To == v - 1)
            {
                runs[^1] = (runs[^1].From, v);
            }
            else
            {
                runs.Add((v, v));
            }
        }
        if (runs.Count > 1 && runs[0].From == min && runs[^1].To == max)
        {
            var wrapped = (runs[^1].From, runs[0].To);
            runs.RemoveAt(runs.Count - 1);
            runs[0] = wrapped;
        }
        return runs;
    }
}
