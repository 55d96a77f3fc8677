using System.Text.RegularExpressions;

namespace Kairos.Events;

/// <summary>
/// Matches event types against a subscription's pattern. Types are dot-separated segments
/// (<c>order.created</c>); in a pattern <c>*</c> stands for exactly one segment
/// (<c>order.*</c>, <c>*.failed</c>) and <c>**</c> for any number of segments, including none
/// (<c>order.**</c>, <c>**</c>). Everything else matches literally and case-sensitively.
/// </summary>
internal sealed partial class EventTypePattern
{
    private readonly string[] _segments;

    private EventTypePattern(string text, string[] segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    public static EventTypePattern Parse(string pattern) =>
        TryParse(pattern, out var parsed, out var error) ? parsed! : throw new KairosValidationException(error!);

    public static bool TryParse(string? pattern, out EventTypePattern? parsed, out string? error)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(pattern))
        {
            error = "an event type pattern must not be empty (use ** to match every type)";
            return false;
        }
        if (Model.InputText.Key(pattern, "an event type pattern") is { } tooLong)
        {
            error = tooLong;
            return false;
        }
        var segments = pattern.Split('.');
        foreach (var segment in segments)
        {
            if (segment.Length == 0)
            {
                error = $"event type pattern {Model.InputText.Quote(pattern)} has an empty segment: segments are separated by single dots";
                return false;
            }
            if (segment != "*" && segment != "**" && segment.Contains('*', StringComparison.Ordinal))
            {
                error = $"event type pattern {Model.InputText.Quote(pattern)}: '*' must be a whole segment (write order.* rather than order*)";
                return false;
            }
        }
        parsed = new EventTypePattern(pattern, segments);
        error = null;
        return true;
    }

    /// <summary>Checks an event type given to <c>Publish</c>: non-empty segments of letters, digits, '_', '-'.</summary>
    public static string? CheckType(string? type) =>
        type is not null && type.Length <= Model.InputText.MaxKeyLength && TypePattern().IsMatch(type)
            ? null
            : $"{Model.InputText.Quote(type)} is not a valid event type: use up to {Model.InputText.MaxKeyLength} characters in dot-separated segments of letters, digits, '_' or '-', e.g. order.created";

    public bool Matches(string type) => Matches(type.Split('.'));

    /// <summary>Matches a type already split at its dots (callers matching many patterns split once).</summary>
    public bool Matches(string[] typeSegments) => Match(_segments, typeSegments);

    /// <summary>
    /// Walks the pattern once, keeping every position in the type it can have reached so far: time is
    /// at most pattern × type segments. Backtracking instead would be exponential in the number of
    /// <c>**</c> (a saved pattern like <c>**.**.**.…x</c> would stall every publish).
    /// </summary>
    private static bool Match(string[] pattern, string[] type)
    {
        var reached = new bool[type.Length + 1];
        reached[0] = true;
        foreach (var segment in pattern)
        {
            var next = new bool[type.Length + 1];
            var any = false;
            for (var t = 0; t <= type.Length; t++)
            {
                if (!reached[t])
                {
                    continue;
                }
                if (segment == "**")
                {
                    // From the first position reached, every later one is reached too.
                    Array.Fill(next, true, t, type.Length + 1 - t);
                    any = true;
                    break;
                }
                if (t < type.Length && (segment == "*" || string.Equals(segment, type[t], StringComparison.Ordinal)))
                {
                    next[t + 1] = true;
                    any = true;
                }
            }
            if (!any)
            {
                return false;
            }
            reached = next;
        }
        return reached[type.Length];
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\z")]
    private static partial Regex TypePattern();

    public override string ToString() => Text;
}
