using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Tests.Support;
using Kairos.Workflows;

namespace Kairos.Tests.Workflows;

/// <summary>A workflow's overall timeout on a real engine and a fake clock: past it the workflow fails as a failed step would fail it.</summary>
public sealed class WorkflowTimeoutTests
{
    private static readonly RetryPolicy Once = RetryPolicy.Default with { MaxAttempts = 1 };

    private static WorkflowExecutorSpec Flow(WorkflowFailure onFailure) => new(
    [
        new WorkflowStep("charge")
        {
            Run = new HandlerExecutorSpec("record"), Input = """{"do": "charge"}""", Retry = Once,
            Compensate = new WorkflowAction { Run = new HandlerExecutorSpec("record"), Input = """{"undo": "charge"}""", Retry = Once },
        },
        new WorkflowStep("settle") { Needs = ["charge"], Sleep = TimeSpan.FromHours(2) },
        new WorkflowStep("ship") { Needs = ["settle"], Run = new HandlerExecutorSpec("record"), Input = """{"do": "ship"}""", Retry = Once },
    ])
    { OnFailure = onFailure, Timeout = TimeSpan.FromHours(1) };

    private static async Task<(TestEngine Engine, long Run)> StartedAsync(TestStore store, WorkflowFailure onFailure, ConcurrentQueue<string> calls)
    {
        var t = await TestEngine.CreateAsync(store: store, handlers: k => k.AddHandler("record", ctx =>
        {
            calls.Enqueue(ctx.Payload.GetRawText());
            return Task.FromResult<JsonNode?>(null);
        }));
        await t.Engine.SaveJobAsync(new JobDefinition { Name = "order", Executor = Flow(onFailure) });
        await t.StartAsync();
        var run = await t.Engine.RunNowAsync("order", "{}");
        await Eventually.TrueAsync(async () => (await t.Store.GetWorkflowAsync(run.RunId, CancellationToken.None))?.Steps.Single(s => s.StepId == "settle").State == StepStates.Started,
            "the sleep to start");
        return (t, run.RunId);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Past_its_timeout_a_workflow_ends_dead_its_waiting_step_cancelled_and_its_steps_compensated(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        var (t, run) = await StartedAsync(store, WorkflowFailure.Compensate, calls);
        await using var _ = t;

        t.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(RunState.Waiting, (await t.RunAsync(run)).State);
        t.Clock.Advance(TimeSpan.FromMinutes(1));

        var ended = await t.WaitForStateAsync(run, RunState.Dead);
        Assert.StartsWith("timed out after 1h", ended.Error);
        var workflow = (await t.Store.GetWorkflowAsync(run, CancellationToken.None))!;
        Assert.Equal(WorkflowStates.Compensated, workflow.Workflow.State);
        Assert.Equal(StepStates.Cancelled, workflow.Steps.Single(s => s.StepId == "settle").State);
        Assert.Equal(StepStates.Pending, workflow.Steps.Single(s => s.StepId == "ship").State);
        Assert.Equal(["""{"do": "charge"}""", """{"undo": "charge"}"""], calls);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_workflow_that_ends_in_time_cancels_its_timeout(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        var (t, run) = await StartedAsync(store, WorkflowFailure.Fail, calls);
        await using var _ = t;
        var timer = (await t.Store.GetWorkflowAsync(run, CancellationToken.None))!.Workflow.TimeoutRunId!.Value;

        Assert.Equal(Kairos.Storage.CancelResult.Cancelled, await t.Client.CancelRunAsync(run));

        Assert.Equal(RunState.Cancelled, (await t.RunAsync(timer)).State);
        t.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(RunState.Cancelled, (await t.RunAsync(run)).State);
        Assert.Equal(WorkflowStates.Cancelled, (await t.Store.GetWorkflowAsync(run, CancellationToken.None))!.Workflow.State);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_retried_workflow_has_its_whole_timeout_again_counted_from_the_retry(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        var (t, run) = await StartedAsync(store, WorkflowFailure.Fail, calls);
        await using var _ = t;
        t.Clock.Advance(TimeSpan.FromHours(1));
        await t.WaitForStateAsync(run, RunState.Dead);

        t.Clock.Advance(TimeSpan.FromHours(5));
        await t.Client.RetryWorkflowAsync(run);
        await Eventually.TrueAsync(async () => (await t.Store.GetWorkflowAsync(run, CancellationToken.None))!.Steps.Single(s => s.StepId == "settle").State == StepStates.Started,
            "the sleep to start again");
        var timer = (await t.Store.GetWorkflowAsync(run, CancellationToken.None))!.Workflow.TimeoutRunId!.Value;
        Assert.Equal((RunState.Queued, t.Clock.GetUtcNow() + TimeSpan.FromHours(1)), ((await t.RunAsync(timer)).State, (await t.RunAsync(timer)).DueAt));

        t.Clock.Advance(TimeSpan.FromHours(1));

        var ended = await t.WaitForStateAsync(run, RunState.Dead);
        Assert.StartsWith("timed out after 1h", ended.Error);
        Assert.Equal(StepStates.Cancelled, (await t.Store.GetWorkflowAsync(run, CancellationToken.None))!.Steps.Single(s => s.StepId == "settle").State);
    }

    [Fact]
    public void A_timeout_is_a_positive_duration_in_yaml_and_over_the_api()
    {
        Assert.Contains("workflow.timeout: timeout must be greater than zero",
            JobRules.Validate(new JobDefinition { Name = "order", Executor = Flow(WorkflowFailure.Fail) with { Timeout = TimeSpan.Zero } }));
        var loaded = Kairos.Configuration.YamlConfigLoader.Load("""
            jobs:
              order:
                workflow:
                  timeout: 90m
                  steps:
                    - { id: a, handler: ok }
            """, "kairos.yaml");
        Assert.Equal(TimeSpan.FromMinutes(90), Assert.IsType<WorkflowExecutorSpec>(Assert.Single(loaded.Jobs).Executor).Timeout);
    }
}
