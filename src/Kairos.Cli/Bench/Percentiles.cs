namespace Kairos.Cli.Bench;

/// <summary>Nearest-rank percentiles of a sorted sample (p in 0–100); null for an empty sample.</summary>
internal static class Percentiles
{
    public static double? Of(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return null;
        }
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return Math.Round(sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)], 2);
    }
}
