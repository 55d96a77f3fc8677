using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Kairos.Configuration;

/// <summary>
/// Durations as people write them: "250ms", "30s", "5m", "1h30m", "2d", up to <see cref="Longest"/>.
/// Anything longer is not a duration here: no setting means it, and a huge value would overflow
/// the time arithmetic of whatever received it (a wait's deadline, a retention cut-off).
/// Digits are ASCII only: .NET's <c>\d</c> also matches other scripts' digits (Arabic-Indic '٣'),
/// which no one means in a configuration file and which the number parser refuses.
/// </summary>
internal static partial class Durations
{
    /// <summary>The longest duration accepted: 100 years.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(36_500);

    /// <summary>
    /// The longest duration that something waits for with a timer (a job's or a request's timeout,
    /// a kill grace, a settle time): 49 days. .NET timers cannot wait longer than 2^32 − 2 ms
    /// (about 49.7 days) and throw when asked to, so a longer value would fail every run.
    /// </summary>
    public static readonly TimeSpan LongestTimer = TimeSpan.FromDays(49);

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var rest = text?.Trim() ?? "";
        if (rest.Length == 0)
        {
            return false;
        }
        var milliseconds = 0.0; // Summed as a number, checked against Longest before it becomes a TimeSpan.
        while (rest.Length > 0)
        {
            var match = Part().Match(rest);
            if (!match.Success)
            {
                return false;
            }
            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            milliseconds += value * match.Groups[2].Value switch
            {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => 86_400_000,
            };
            if (milliseconds > Longest.TotalMilliseconds)
            {
                return false;
            }
            rest = rest[match.Length..];
        }
        duration = TimeSpan.FromMilliseconds(milliseconds);
        return true;
    }

    /// <summary>A point in time given either as a duration from <paramref name="now"/> ("90d") or as an instant (ISO 8601).</summary>
    public static bool TryParseInstantOrDuration(string text, DateTimeOffset now, out DateTimeOffset at)
    {
        if (TryParse(text, out var after))
        {
            at = now + after;
            return true;
        }
        return TryParseInstant(text, out at);
    }

    /// <summary>An instant in ISO 8601 form; UTC when it has no offset.</summary>
    public static bool TryParseInstant(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out at);

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration)
            ? duration
            : throw new FormatException($"'{text}' is not a duration up to 100 years: write a number and a unit, e.g. 250ms, 30s, 5m, 1h30m, 2d");

    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }
        var text = new StringBuilder();
        void Add(long value, string unit)
        {
            if (value > 0)
            {
                text.Append(value.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }
        Add(duration.Days, "d");
        Add(duration.Hours, "h");
        Add(duration.Minutes, "m");
        Add(duration.Seconds, "s");
        Add(duration.Milliseconds, "ms");
        return text.ToString();
    }
}
