namespace Kairos.Tests.Support;

/// <summary>
/// A workflow for the operation tests over HTTP: <c>approval</c> sleeps three days in its <c>cool-off</c> step (a run queued
/// for later, which a skip may end), then ships with the output the cool-off ended with, which is the workflow's output.
/// </summary>
internal static class CoolingOffWorkflow
{
    public const string Yaml = """
        jobs:
          approval:
            workflow:
              output: { by: "{{steps.ship.output.by}}" }
              steps:
                - id: cool-off
                  sleep: 3d
                - id: ship
                  needs: [cool-off]
                  handler: echo
                  input: { by: "{{steps.cool-off.output.by}}" }
        """;

    /// <summary>Starts a run of <c>approval</c> and waits until it sleeps in its cool-off step; returns its id.</summary>
    public static async Task<long> StartAsync(InProcessServer server)
    {
        var run = (await server.Client.StartWorkflowAsync("approval", "{}")).RunId;
        await Eventually.TrueAsync(async () => (await server.Engine.Store.GetWorkflowAsync(run, CancellationToken.None))?.Steps[0].State == "started",
            "the cool-off to start");
        return run;
    }
}
