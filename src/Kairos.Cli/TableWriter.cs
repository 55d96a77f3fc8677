namespace Kairos.Cli;

/// <summary>Prints rows as left-aligned columns under a header.</summary>
internal static class TableWriter
{
    public static void Write(TextWriter output, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var all = rows.Select(r => r.Select(c => c ?? "-").ToList()).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToList();
        output.WriteLine(Line(header, widths));
        foreach (var row in all)
        {
            output.WriteLine(Line(row, widths));
        }
        if (all.Count == 0)
        {
            output.WriteLine("(none)");
        }
    }

    private static string Line(IReadOnlyList<string> cells, List<int> widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
