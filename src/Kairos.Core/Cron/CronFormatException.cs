namespace Kairos.Cron;

/// <summary>
/// Thrown when a cron expression cannot be parsed. The message names the offending field
/// and quotes the text that is wrong.
/// </summary>
internal sealed class CronFormatException : FormatException
{
    /// <summary>Creates an exception for a problem in one field or in the whole expression.</summary>
    /// <param name="field">
    /// "second", "minute", "hour", "day-of-month", "month", "day-of-week", or null when the
    /// problem concerns the expression as a whole (field count, unknown macro, ...).
    /// </param>
    /// <param name="message">A message that names the field and quotes the bad text.</param>
    internal CronFormatException(string? field, string message)
        : base(message)
    {
        Field = field;
    }

    /// <summary>
    /// The field in error: "second", "minute", "hour", "day-of-month", "month",
    /// "day-of-week", or null for whole-expression errors.
    /// </summary>
    public string? Field { get; }

    internal static CronFormatException ForField(CronFieldKind kind, string fieldText, string problem) =>
        new(kind.Name(), $"{kind.Name()} field '{fieldText}': {problem}");

    internal static CronFormatException ForExpression(string problem) => new(null, problem);
}
