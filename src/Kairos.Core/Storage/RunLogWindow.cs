using Kairos.Model;

namespace Kairos.Storage;

/// <summary>
/// How a <see cref="RunLogQuery"/> cuts long lines: stores read one character more than the bound, so a
/// line at the bound is told apart from one cut there, and the client marks the cut ones.
/// </summary>
internal static class RunLogWindow
{
    /// <summary>How many characters of each line a store reads.</summary>
    public static int Chars(RunLogQuery query) => query.MaxLineChars >= int.MaxValue - 1 ? int.MaxValue : Math.Max(1, query.MaxLineChars + 1);

    public static RunLogLine Cut(RunLogLine line, RunLogQuery query) =>
        line.Text.Length <= query.MaxLineChars ? line : line with { Text = line.Text[..Math.Max(0, query.MaxLineChars)] + $" […line cut at {query.MaxLineChars} characters]" };
}
