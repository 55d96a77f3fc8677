using Kairos.Cli;

namespace Kairos.Tests.Support;

/// <summary>Runs the <c>kairos</c> command in-process, as a person would type it, and keeps what it printed.</summary>
public static class CliRunner
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await KairosCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
