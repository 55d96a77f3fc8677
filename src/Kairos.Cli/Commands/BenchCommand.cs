namespace Kairos.Cli.Commands;

/// <summary><c>kairos bench SCENARIO</c>: one JSON line of measurements against a fresh store.</summary>
internal static class BenchCommand
{
    public static Task<int> RunAsync(string[] rest, TextWriter output) =>
        throw new UsageException("bench scenarios arrive in the next increment");
}
