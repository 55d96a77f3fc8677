using System.Net;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>A workflow declared in YAML, started over the CLI, and watched over HTTP and the CLI, on the real server.</summary>
public sealed class WorkflowsApiTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("""
        jobs:
          plain:
            handler: noop
          order:
            workflow:
              output: { echoed: "{{steps.check.output.sku}}" }
              steps:
                - id: check
                  handler: echo
                  input: { sku: "{{input.sku}}" }
                - id: ship
                  needs: [check]
                  when: steps.check.output.sku == 'A1'
                  job: plain
                - id: refund
                  needs: [check]
                  when: steps.check.output.sku != 'A1'
                  handler: noop
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(int Exit, string Output, string Error)> CliAsync(params string[] args) => CliRunner.RunAsync([.. args, "--server", _server.Url]);

    [Fact]
    public async Task A_workflow_started_from_the_cli_shows_each_step_and_its_graph()
    {
        var started = await CliAsync("jobs", "run", "order", "--data", """{"sku": "A1"}""", "--json");
        Assert.True(started.Exit == 0, started.Error);
        var runId = JsonNode.Parse(started.Output)!["runId"]!.GetValue<long>();
        var ended = await _server.Client.WaitForRunAsync(runId, TimeSpan.FromSeconds(15));
        Assert.Equal(RunState.Succeeded, ended!.State);
        Assert.Equal("""{"echoed":"A1"}""", ended.Output);

        var workflow = JsonNode.Parse(await _server.Http.GetStringAsync($"/api/runs/{runId}/workflow"))!;
        Assert.Equal("succeeded", workflow["state"]!.GetValue<string>());
        Assert.Equal(["succeeded", "succeeded", "skipped"], workflow["steps"]!.AsArray().Select(s => s!["state"]!.GetValue<string>()));

        var table = await CliAsync("workflows", "run", runId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(table.Exit == 0, table.Error);
        Assert.Contains($"workflow run {runId} of order (version 1): succeeded", table.Output);
        Assert.Matches(@"refund\s+skipped", table.Output);

        var list = await CliAsync("workflows", "list");
        Assert.True(list.Exit == 0, list.Error);
        Assert.Matches(@"order\s+3\s+fail\s+active", list.Output);
        Assert.DoesNotContain("plain", list.Output);

        var graph = await CliAsync("workflows", "show", "order", "--format", "mermaid");
        Assert.True(graph.Exit == 0, graph.Error);
        Assert.Contains("flowchart TD", graph.Output);
        Assert.Contains("check -- \"steps.check.output.sku == 'A1'\" --> ship", graph.Output);
    }

    [Fact]
    public async Task Asking_for_the_workflow_of_a_plain_run_or_a_plain_job_is_a_404_that_says_so()
    {
        var run = await _server.Client.RunNowAsync("plain");
        using var notWorkflow = await _server.Http.GetAsync($"/api/runs/{run.RunId}/workflow");
        Assert.Equal(HttpStatusCode.NotFound, notWorkflow.StatusCode);
        Assert.Contains("not a workflow's run", await notWorkflow.Content.ReadAsStringAsync());

        using var plainJob = await _server.Http.GetAsync("/api/jobs/plain/workflow");
        Assert.Equal(HttpStatusCode.NotFound, plainJob.StatusCode);
        using var badFormat = await _server.Http.GetAsync("/api/jobs/order/workflow?format=svg");
        Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
    }

    [Fact]
    public async Task A_structured_condition_saved_over_json_runs_and_comes_back_as_written()
    {
        const string when = """{"all": [{"left": "{{steps.check.output.sku}}", "op": "eq", "right": "A1"}, {"not": "input.quantity > 5"}]}""";
        using var saved = await _server.Http.PutAsync("/api/jobs/structured", new StringContent($$$"""
            {"workflow": {"steps": [
              {"id": "check", "handler": "echo", "input": "{\"sku\": \"{{input.sku}}\"}"},
              {"id": "ship", "needs": ["check"], "when": {{{when}}}, "job": "plain"},
              {"id": "hold", "needs": ["check"], "when": "steps.check.output.sku != 'A1'", "handler": "noop"}]}}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        var steps = JsonNode.Parse(await _server.Http.GetStringAsync("/api/jobs/structured"))!["workflow"]!["steps"]!.AsArray();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(when), steps[1]!["when"]));
        Assert.Equal("steps.check.output.sku != 'A1'", steps[2]!["when"]!.GetValue<string>());

        var run = await _server.Client.RunNowAsync("structured", """{"sku": "A1", "quantity": 2}""");
        Assert.Equal(RunState.Succeeded, (await _server.Client.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(15)))!.State);
        var workflow = JsonNode.Parse(await _server.Http.GetStringAsync($"/api/runs/{run.RunId}/workflow"))!;
        Assert.Equal(["succeeded", "succeeded", "skipped"], workflow["steps"]!.AsArray().Select(s => s!["state"]!.GetValue<string>()));

        using var bad = await _server.Http.PutAsync("/api/jobs/structured", new StringContent("""
            {"workflow": {"steps": [{"id": "check", "handler": "echo"},
              {"id": "ship", "needs": ["check"], "when": {"any": [{"left": "{{steps.check.output.n}}", "op": "between", "right": 1}]}, "job": "plain"}]}}
            """, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("workflow.steps[1].when.any[0].op: 'between' is not an operator", await bad.Content.ReadAsStringAsync());
    }
}
