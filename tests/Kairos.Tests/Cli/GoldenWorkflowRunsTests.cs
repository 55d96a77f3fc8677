using Kairos.Hosting;
using Kairos.Model;
using Kairos.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Cli;

/// <summary>
/// <c>kairos workflows start | runs | pause | resume | skip | retry | cancel | migrate</c> against a real server, compared with golden
/// files (<see cref="GoldenFiles"/>): one step after another on a fresh database, so the ids are the same on every run.
/// </summary>
public sealed class GoldenWorkflowRunsTests
{
    private const string Config = """
        jobs:
          plain:
            handler: echo
          quick:
            workflow:
              steps:
                - id: check
                  handler: echo
                  input: { sku: "{{input.sku}}" }
          approval:
            workflow:
              steps:
                - id: book
                  handler: echo
                  input: { booked: true }
                  compensate: { handler: echo, input: { unbooked: true } }
                - id: cool-off
                  needs: [book]
                  sleep: 3d
                - id: ship
                  needs: [cool-off]
                  handler: echo
                  input: { by: "{{steps.cool-off.output.by}}" }
          broken:
            workflow:
              steps:
                - id: charge
                  handler: fail
                  retry: { maxAttempts: 1 }
        """;

    [Fact]
    public async Task Workflow_runs_start_list_and_take_operations_as_the_golden_files_say()
    {
        await using var server = await InProcessServer.StartAsync(Config, kairos => kairos.Services.PostConfigure<KairosOptions>(o => o.NodeId = "golden-node"));
        var golden = new GoldenFiles().Replace(server.Url, "http://127.0.0.1:PORT");
        string[] at = ["--server", server.Url];
        async Task CoolingOffAsync(long run) => await Eventually.TrueAsync(
            async () => (await server.Engine.Store.GetWorkflowAsync(run, CancellationToken.None))?.Steps.Single(s => s.StepId == "cool-off").State == "started", "the cool-off to start");
        async Task EndedAsync(long run, RunState state) => Assert.Equal(state, (await server.Client.WaitForRunAsync(run, TimeSpan.FromSeconds(30)))!.State);

        await golden.CheckAsync("workflows-start-wait", ["workflows", "start", "quick", "--data", """{"sku":"A1"}""", "--wait", "1m", .. at]);
        await golden.CheckAsync("workflows-start", ["workflows", "start", "approval", .. at]);
        await CoolingOffAsync(3);
        await golden.CheckAsync("workflows-pause", ["workflows", "pause", "3", .. at]);
        await golden.CheckAsync("workflows-pause-again", ["workflows", "pause", "3", .. at]);
        await golden.CheckAsync("workflows-resume-json", ["workflows", "resume", "3", "--json", .. at]);
        await golden.CheckAsync("workflows-skip", ["workflows", "skip", "3", "cool-off", "--output", """{"by":"ann"}""", .. at]);
        await EndedAsync(3, RunState.Succeeded);

        await golden.CheckAsync("workflows-start-broken", ["workflows", "start", "broken", .. at]);
        await EndedAsync(7, RunState.Dead);
        await golden.CheckAsync("workflows-retry", ["workflows", "retry", "7", .. at]);
        await EndedAsync(7, RunState.Dead);

        await server.Client.StartWorkflowAsync("approval", "{}");
        await CoolingOffAsync(10);
        await golden.CheckAsync("workflows-cancel-compensate", ["workflows", "cancel", "10", "--compensate", .. at]);
        await EndedAsync(10, RunState.Cancelled);

        await golden.CheckAsync("workflows-runs", ["workflows", "runs", .. at]);
        await golden.CheckAsync("workflows-runs-approval-json", ["workflows", "runs", "approval", "--state", "succeeded", "--json", .. at]);
        // A workflow's own state: run 7's run is dead, its workflow failed; run 10's cancelled.
        await golden.CheckAsync("workflows-runs-state-failed", ["workflows", "runs", "--state", "failed", .. at]);
        await golden.CheckAsync("workflows-runs-state-unknown", ["workflows", "runs", "--state", "stuck", .. at]);
        await golden.CheckAsync("workflows-start-plain", ["workflows", "start", "plain", .. at]);
        await golden.CheckAsync("workflows-show-version", ["workflows", "show", "approval", "--version", "1", .. at]);
        await golden.CheckAsync("workflows-migrate-ended", ["workflows", "migrate", "10", "--to-version", "1", .. at]);
        await golden.CheckAsync("workflows-migrate-no-version", ["workflows", "migrate", "10", .. at]);
        golden.AssertAllMatched();
    }
}
