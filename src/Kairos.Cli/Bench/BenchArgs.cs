using System.Globalization;

namespace Kairos.Cli.Bench;

/// <summary>Numeric benchmark options: a whole number within bounds, or the default when absent.</summary>
internal static class BenchArgs
{
    public static int Int(CliArgs args, string name, int defaultValue, int min = 1, int max = 10_000_000)
    {
        if (args.Get(name) is not { } text)
        {
            return defaultValue;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new UsageException($"{name} '{text}' must be a whole number from {min} to {max}");
        }
        return value;
    }

    /// <summary>Seconds rounded to the millisecond, for the report.</summary>
    public static double Seconds(TimeSpan elapsed) => Math.Round(elapsed.TotalSeconds, 3);
}
