using System.Diagnostics;
using System.Globalization;

namespace Kairos.Cli.Bench;

/// <summary>This process's resident memory (VmRSS, VmHWM from /proc/self/status) and CPU time.</summary>
internal static class ProcessUsage
{
    /// <summary>A /proc/self/status memory line (e.g. "VmRSS") in MB; NaN where /proc is missing (not Linux).</summary>
    public static double StatusMegabytes(string field)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return double.NaN;
        }
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                // "VmRSS:     123456 kB"
                var kilobytes = long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return Math.Round(kilobytes / 1024.0, 1);
            }
        }
        return double.NaN;
    }

    public static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
}
