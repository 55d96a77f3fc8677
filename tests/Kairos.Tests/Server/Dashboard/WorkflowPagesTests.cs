using System.Net;
using System.Text.RegularExpressions;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>A workflow job's graph and a workflow run's graph coloured by step state, over real HTTP.</summary>
public sealed partial class WorkflowPagesTests : IAsyncLifetime
{
    /// <summary>a, then b (only when asked) and c side by side, then d after both whatever became of them.</summary>
    public const string Yaml = """
        jobs:
          order-flow:
            workflow:
              steps:
                - id: a
                  handler: echo
                - id: b
                  needs: [a]
                  when: input.express == true
                  handler: echo
                - id: c
                  needs: [a]
                  handler: echo
                  input: { sku: "{{input.sku}}" }
                - id: d
                  needs: [b, c]
                  runIf: always
                  handler: noop
        """;

    private DashboardServer _dashboard = null!;

    private InProcessServer Server => _dashboard.Server;

    public async Task InitializeAsync() => _dashboard = await DashboardServer.StartAsync(Yaml);

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    [Fact]
    public async Task A_workflow_jobs_page_draws_a_box_per_step_and_an_arrow_per_need_with_its_condition()
    {
        using var browser = await _dashboard.ReaderAsync();

        var page = await browser.GetPageAsync("/job?name=order-flow");

        Assert.Equal(["a", "b", "c", "d"], StepBoxes().Matches(page).Select(m => m.Groups[2].Value));
        Assert.All(StepBoxes().Matches(page), m => Assert.Equal("definition", m.Groups[1].Value));
        Assert.Equal(4, Regex.Count(page, "<path class=\"edge\""));
        Assert.Contains("when input.express == true", page);
        Assert.Contains("always", page);
    }

    [Fact]
    public async Task A_workflow_runs_page_colours_each_step_by_its_state_and_lists_its_run_input_and_output()
    {
        var started = await Server.Client.StartWorkflowAsync("order-flow", """{"express": false, "sku": "X-1"}""");
        await Server.Client.WaitForRunAsync(started.RunId, TimeSpan.FromSeconds(20));
        var info = await Server.Client.GetWorkflowRunAsync(started.RunId);
        using var browser = await _dashboard.ReaderAsync();

        var page = await browser.GetPageAsync($"/runs/{started.RunId}");

        Assert.Equal("succeeded", info.State);
        Assert.Equal(
            [("succeeded", "a"), ("skipped", "b"), ("succeeded", "c"), ("succeeded", "d")],
            StepBoxes().Matches(page).Select(m => (m.Groups[1].Value, m.Groups[2].Value)));
        var c = info.Steps.Single(s => s.Id == "c");
        Assert.Contains($"<a href=\"/runs/{c.RunId}\">#{c.RunId}</a>", page);
        Assert.Contains("1 of 3", page);
        Assert.Contains("&quot;sku&quot;: &quot;X-1&quot;", page); // c's input, from its template.
        Assert.DoesNotContain("Runs it started", page); // The steps table lists them.
    }

    [Fact]
    public async Task A_run_that_is_not_a_workflows_shows_no_workflow_section()
    {
        await Server.Client.SaveJobAsync(new Kairos.Model.JobDefinition { Name = "plain", Executor = new Kairos.Model.HandlerExecutorSpec("noop") });
        var run = await Server.Client.RunNowAsync("plain");
        using var browser = await _dashboard.ReaderAsync();

        using var response = await browser.GetAsync($"/runs/{run.RunId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("id=\"workflow\"", await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("<g class=\"node state-([a-z-]+)\" data-step=\"([^\"]+)\"")]
    private static partial Regex StepBoxes();
}
