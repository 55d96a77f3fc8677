using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Kairos.Configuration;

/// <summary>Durations as people write them: "250ms", "30s", "5m", "1h30m", "2d".</summary>
internal static partial class Durations
{
    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var rest = text?.Trim() ?? "";
        if (rest.Length == 0)
        {
            return false;
        }
        while (rest.Length > 0)
        {
            var match = Part().Match(rest);
            if (!match.Success)
            {
                return false;
            }
            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            duration += match.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                _ => TimeSpan.FromDays(value),
            };
            rest = rest[match.Length..];
        }
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration)
            ? duration
            : throw new FormatException($"'{text}' is not a duration: write a number and a unit, e.g. 250ms, 30s, 5m, 1h30m, 2d");

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
