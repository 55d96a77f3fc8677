using System.Net;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>The operation buttons of a workflow run's page over real HTTP: offered by state to keys with run scope only, guarded like every action.</summary>
public sealed class WorkflowActionsTests : IAsyncLifetime
{
    private DashboardServer _dashboard = null!;

    private InProcessServer Server => _dashboard.Server;

    public async Task InitializeAsync() => _dashboard = await DashboardServer.StartAsync(CoolingOffWorkflow.Yaml);

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    private Task<long> CoolingOffAsync() => CoolingOffWorkflow.StartAsync(Server);

    [Fact]
    public async Task A_run_scope_key_gets_the_buttons_its_state_allows_and_a_read_key_gets_none()
    {
        var run = await CoolingOffAsync();
        using var admin = await _dashboard.AdminAsync();
        using var reader = await _dashboard.ReaderAsync();

        var running = await admin.GetPageAsync($"/runs/{run}");
        var read = await reader.GetPageAsync($"/runs/{run}");

        Assert.Contains("id=\"workflow-pause\"", running);
        Assert.Contains("id=\"workflow-cancel-compensate\"", running);
        Assert.Contains("id=\"skip-cool-off\"", running); // Its run is queued (a sleep).
        Assert.DoesNotContain("id=\"skip-ship\"", running); // Pending: nothing to skip yet.
        Assert.DoesNotContain("id=\"workflow-retry\"", running);
        Assert.DoesNotContain("id=\"cancel\"", running); // The run's own cancel gives way to the workflow's.
        Assert.DoesNotContain("workflow-actions", read);
        Assert.DoesNotContain("skip-step", read);

        using var paused = await admin.SubmitAsync($"/runs/{run}", $"/runs/{run}/workflow/pause");
        Assert.Equal((HttpStatusCode.SeeOther, $"/runs/{run}"), (paused.StatusCode, paused.Headers.Location?.ToString()));
        var page = await admin.GetPageAsync($"/runs/{run}");
        Assert.Contains("id=\"workflow-resume\"", page);
        Assert.DoesNotContain("id=\"workflow-pause\"", page);
    }

    [Fact]
    public async Task A_skip_with_an_output_moves_the_workflow_on_and_forged_or_refused_posts_change_nothing()
    {
        var run = await CoolingOffAsync();
        using var admin = await _dashboard.AdminAsync();
        using var reader = await _dashboard.ReaderAsync();

        using var untokened = await admin.PostAsync($"/runs/{run}/workflow/cancel");
        using var forged = await reader.SubmitAsync("/", $"/runs/{run}/workflow/cancel");
        using var wrongState = await admin.SubmitAsync($"/runs/{run}", $"/runs/{run}/workflow/resume");
        using var badOutput = await admin.SubmitAsync($"/runs/{run}", $"/runs/{run}/workflow/skip", ("step", "cool-off"), ("output", "{by"));

        Assert.Equal(HttpStatusCode.BadRequest, untokened.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, wrongState.StatusCode);
        Assert.Contains($"workflow run {run} is running: resume needs it paused", await wrongState.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, badOutput.StatusCode);
        Assert.Equal("running", (await Server.Client.GetWorkflowRunAsync(run)).State);

        using var skipped = await admin.SubmitAsync($"/runs/{run}", $"/runs/{run}/workflow/skip", ("step", "cool-off"), ("output", """{"by": "ann"}"""));

        Assert.Equal(HttpStatusCode.SeeOther, skipped.StatusCode);
        var ended = await Server.Client.WaitForRunAsync(run, TimeSpan.FromSeconds(15));
        Assert.Equal(RunState.Succeeded, ended!.State);
        Assert.Equal("""{"by":"ann"}""", ended.Output);
    }
}
