using System.Diagnostics;
using Kairos.Cli;

namespace Kairos.Tests.EndToEnd;

/// <summary>What one <c>kairos</c> invocation printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs the <c>kairos</c> command, in this process (client commands) or as a real child process.</summary>
public static class Cli
{
    /// <summary>In-process: the same entry point as the executable, with its own output and error writers.</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await KairosCli.RunAsync(args, stdout, stderr);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>As a child process <c>dotnet kairos.dll ARGS</c>, killed (and failing) after <paramref name="timeout"/>.</summary>
    public static async Task<CliResult> RunProcessAsync(TimeSpan timeout, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(KairosServerProcess.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(KairosServerProcess.KairosDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Remove("KAIROS_DB");
        start.Environment.Remove("KAIROS_URL");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"kairos {string.Join(' ', args)} did not exit within {timeout.TotalSeconds} s:\n{await stdout}\n{await stderr}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
