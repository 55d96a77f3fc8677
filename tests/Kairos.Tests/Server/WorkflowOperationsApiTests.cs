using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Access;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>Operations on a workflow's run over real HTTP: what each answers, 409 naming the state that forbids one, 404, 400 and the keys' scopes and namespaces.</summary>
public sealed class WorkflowOperationsApiTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync(CoolingOffWorkflow.Yaml);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<long> StartedAsync() => CoolingOffWorkflow.StartAsync(_server);

    private async Task<(HttpStatusCode Status, JsonNode? Body, string? ContentType)> PostAsync(string path, string? json = null, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Pause_resume_and_skip_answer_with_the_run_and_an_operation_its_state_forbids_is_a_409_naming_that_state()
    {
        var run = await StartedAsync();

        var paused = await PostAsync($"/api/runs/{run}/workflow/pause");
        var again = await PostAsync($"/api/runs/{run}/workflow/pause");
        var resumed = await PostAsync($"/api/runs/{run}/workflow/resume");
        var skipped = await PostAsync($"/api/runs/{run}/workflow/steps/cool-off/skip", """{"output": {"by": "ann"}}""");

        Assert.Equal((HttpStatusCode.OK, "paused"), (paused.Status, paused.Body!["state"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.Conflict, "application/problem+json"), (again.Status, again.ContentType));
        Assert.Equal($"workflow run {run} is paused: pause needs it running", again.Body!["detail"]!.GetValue<string>());
        Assert.Equal("running", resumed.Body!["state"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, skipped.Status);
        Assert.Equal("""{"by":"ann"}""", skipped.Body!["steps"]![0]!["output"]!.GetValue<string>().Replace(" ", "", StringComparison.Ordinal));
        var ended = await _server.Client.WaitForRunAsync(run, TimeSpan.FromSeconds(15));
        Assert.Equal((RunState.Succeeded, """{"by":"ann"}"""), (ended!.State, ended.Output));

        var retry = await PostAsync($"/api/runs/{run}/workflow/retry");
        Assert.Equal(HttpStatusCode.Conflict, retry.Status);
        Assert.Equal($"workflow run {run} is succeeded: retry needs it failed or cancelled", retry.Body!["detail"]!.GetValue<string>());
        var kinds = (await _server.Client.GetRunJournalAsync(run)).Select(e => e.Kind).ToList();
        Assert.Equal(["workflow.paused", "workflow.resumed", "workflow.step-skipped"], kinds.Where(k => k.StartsWith("workflow.", StringComparison.Ordinal) && k != "workflow.started" && k != "workflow.step-ended"));
    }

    [Fact]
    public async Task Cancel_with_compensate_ends_the_run_cancelled_and_bad_requests_are_problems_saying_what_is_wrong()
    {
        var run = await StartedAsync();

        var unknownRun = await PostAsync("/api/runs/987654/workflow/retry");
        var unknownStep = await PostAsync($"/api/runs/{run}/workflow/steps/nope/skip", """{"output": 1}""");
        var badField = await PostAsync($"/api/runs/{run}/workflow/cancel", """{"compensate": "yes"}""");
        var cancelled = await PostAsync($"/api/runs/{run}/workflow/cancel", """{"compensate": true}""");

        Assert.Equal(HttpStatusCode.NotFound, unknownRun.Status);
        Assert.Equal((HttpStatusCode.NotFound, $"workflow run {run} has no step 'nope'"), (unknownStep.Status, unknownStep.Body!["detail"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.BadRequest, "application/problem+json"), (badField.Status, badField.ContentType));
        Assert.Contains("compensate", badField.Body!["detail"]!.GetValue<string>());
        Assert.Equal((HttpStatusCode.OK, "cancelled"), (cancelled.Status, cancelled.Body!["state"]!.GetValue<string>()));
        Assert.Equal(RunState.Cancelled, (await _server.Client.GetRunAsync(run))!.State);
    }

    [Fact]
    public async Task A_read_key_may_look_but_not_operate_and_a_key_of_another_namespace_finds_no_such_run()
    {
        var run = await StartedAsync();
        var reader = (await _server.Client.CreateApiKeyAsync("reader", KairosScope.Read)).Token;
        var shop = (await _server.Client.CreateApiKeyAsync("shop", KairosScope.Run, namespaces: ["shop"])).Token;

        var refused = await PostAsync($"/api/runs/{run}/workflow/pause", token: reader);
        var elsewhere = await PostAsync($"/api/runs/{run}/workflow/pause", token: shop);

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.Status);
        Assert.Equal("running", (await _server.Client.GetWorkflowRunAsync(run)).State);
    }

    [Fact]
    public async Task A_migration_that_would_lose_a_started_step_is_a_409_naming_it_and_each_version_is_drawn_by_number()
    {
        WorkflowStep Sleep(string id) => new(id) { Sleep = TimeSpan.FromDays(3) };
        await _server.Client.SaveJobAsync(new JobDefinition { Name = "trip", Executor = new WorkflowExecutorSpec([Sleep("hold")]) });
        var run = (await _server.Client.StartWorkflowAsync("trip", "{}")).RunId;
        await Eventually.TrueAsync(async () => (await _server.Engine.Store.GetWorkflowAsync(run, CancellationToken.None))?.Steps[0].State == "started", "the hold to start");
        await _server.Client.SaveJobAsync(new JobDefinition { Name = "trip", Executor = new WorkflowExecutorSpec([Sleep("pause")]) });

        var refused = await PostAsync($"/api/runs/{run}/workflow/migrate", """{"toVersion": 2}""");
        var unsaid = await PostAsync($"/api/runs/{run}/workflow/migrate", "{}");
        var first = await _server.Http.GetStringAsync("/api/jobs/trip/workflow?version=1");
        var second = await _server.Http.GetStringAsync("/api/jobs/trip/workflow?version=2");
        using var notANumber = await _server.Http.GetAsync("/api/jobs/trip/workflow?version=two");

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal($"workflow run {run} cannot move to version 2: it has no step 'hold', which the run has started or ended", refused.Body!["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, unsaid.Status);
        Assert.StartsWith("toVersion", unsaid.Body!["detail"]!.GetValue<string>());
        Assert.Contains("hold", first);
        Assert.DoesNotContain("hold", second);
        Assert.Equal(HttpStatusCode.BadRequest, notANumber.StatusCode);
        Assert.Equal(1, (await _server.Client.GetWorkflowRunAsync(run)).Version);
    }
}
