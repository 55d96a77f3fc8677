using System.Globalization;

namespace Kairos.Workflows;

/// <summary>
/// The rows of a <c>forEach</c> step's items: one per item, named <c>STEP[INDEX]</c> (a step id never
/// holds a bracket), stored beside the step's own row, which stands for the whole fan-out.
/// </summary>
internal static class StepItems
{
    public static string Id(string stepId, int index) => string.Create(CultureInfo.InvariantCulture, $"{stepId}[{index}]");

    public static bool IsItem(string rowId) => rowId.EndsWith(']');

    /// <summary>The step an item row belongs to (the row's own id when it is a step's).</summary>
    public static string StepOf(string rowId) => IsItem(rowId) ? rowId[..rowId.IndexOf('[', StringComparison.Ordinal)] : rowId;

    public static int IndexOf(string rowId) =>
        int.Parse(rowId.AsSpan(rowId.IndexOf('[', StringComparison.Ordinal) + 1, rowId.Length - rowId.IndexOf('[', StringComparison.Ordinal) - 2), CultureInfo.InvariantCulture);
}
