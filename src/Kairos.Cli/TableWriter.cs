using Spectre.Console;
using Spectre.Console.Rendering;

namespace Kairos.Cli;

/// <summary>
/// Prints rows under a header: a Spectre.Console table on a terminal; elsewhere (a pipe, a file, a
/// test) left-aligned columns of plain text, with no colour codes and no wrapping to a width, so
/// that scripts and golden files read the same whatever the window.
/// </summary>
internal static class TableWriter
{
    /// <summary>Whether <paramref name="output"/> is this process's console, seen by a person rather than redirected.</summary>
    public static bool IsTerminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    public static void Write(TextWriter output, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var all = rows.Select(r => r.Select(c => c ?? "-").ToList()).ToList();
        if (IsTerminal(output))
        {
            Render(AnsiConsole.Console, header, all);
            return;
        }
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

    /// <summary>The table as a terminal shows it; cells are text, never read as Spectre markup.</summary>
    internal static void Render(IAnsiConsole console, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var title in header)
        {
            table.AddColumn(new TableColumn(new Text(title, new Style(decoration: Decoration.Bold))));
        }
        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => (IRenderable)new Text(cell)));
        }
        if (rows.Count == 0)
        {
            table.Caption("(none)");
        }
        console.Write(table);
    }

    private static string Line(IReadOnlyList<string> cells, List<int> widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
