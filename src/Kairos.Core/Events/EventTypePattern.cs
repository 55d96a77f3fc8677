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
        var segments = pattern.Split('.');
        foreach (var segment in segments)
        {
            if (segment.Length == 0)
            {
                error = $"event type pattern '{pattern}' has an empty segment: segments are separated by single dots";
                return false;
            }
            if (segment != "*" && segment != "**" && segment.Contains('*', StringComparison.Ordinal))
            {
                error = $"event type pattern '{pattern}': '*' must be a whole segment (write order.* rather than order*)";
                return false;
            }
        }
        parsed = new EventTypePattern(pattern, segments);
        error = null;
        return true;
    }

    /// <summary>Checks an event type given to <c>Publish</c>: non-empty segments of letters, digits, '_', '-'.</summary>
    public static string? CheckType(string? type) =>
        type is not null && TypePattern().IsMatch(type)
            ? null
            : $"'{type}' is not a valid event type: use dot-separated segments of letters, digits, '_' or '-', e.g. order.created";

    public bool Matches(string type) => Matches(type.Split('.'));

    /// <summary>Matches a type already split at its dots (callers matching many patterns split once).</summary>
    public bool Matches(string[] typeSegments) => Match(_segments, 0, typeSegments, 0);

    private static bool Match(string[] pattern, int p, string[] type, int t)
    {
        if (p == pattern.Length)
        {
            return t == type.Length;
        }
        if (pattern[p] == "**")
        {
            for (var skip = t; skip <= type.Length; skip++)
            {
                if (Match(pattern, p + 1, type, skip))
                {
                    return true;
                }
            }
            return false;
        }
        return t < type.Length
            && (pattern[p] == "*" || string.Equals(pattern[p], type[t], StringComparison.Ordinal))
            && Match(pattern, p + 1, type, t + 1);
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")]
    private static partial Regex TypePattern();

    public override string ToString() => Text;
}
