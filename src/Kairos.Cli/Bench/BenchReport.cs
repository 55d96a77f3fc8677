using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Kairos.Cli.Bench;

/// <summary>The one JSON line a benchmark prints: the machine, the scenario, its parameters and its results.</summary>
internal sealed record BenchReport(string Scenario, JsonObject Parameters, JsonObject Results)
{
    public void WriteTo(TextWriter output)
    {
        var line = new JsonObject
        {
            ["machine"] = new JsonObject
            {
                ["processorCount"] = Environment.ProcessorCount,
                ["os"] = RuntimeInformation.OSDescription,
                ["dotnet"] = RuntimeInformation.FrameworkDescription,
            },
            ["scenario"] = Scenario,
            ["parameters"] = Parameters,
            ["results"] = Results,
        };
        output.WriteLine(line.ToJsonString());
    }
}
