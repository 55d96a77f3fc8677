using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Tests.Support;
using Kairos.Workflows;

namespace Kairos.Tests.Workflows;

/// <summary>Retry, skip, pause, resume and cancel on a workflow's run, through the client on a real engine (SQLite file and in-memory driver) and a fake clock.</summary>
public sealed class WorkflowOperationsTests
{
    private static readonly RetryPolicy Once = RetryPolicy.Default with { MaxAttempts = 1 };

    private static WorkflowStep Inline(string id, string handler, string input, params string[] needs) =>
        new(id) { Run = new HandlerExecutorSpec(handler), Input = input, Needs = needs, Retry = Once };

    /// <summary>An engine whose <c>record</c> handler notes its input and returns it, and whose <c>flaky</c> handler fails until <paramref name="healed"/> says otherwise.</summary>
    private static async Task<TestEngine> EngineAsync(TestStore store, ConcurrentQueue<string> calls, Func<bool>? healed = null)
    {
        var t = await TestEngine.CreateAsync(store: store, handlers: k => k
            .AddHandler("record", ctx =>
            {
                calls.Enqueue(ctx.Payload.GetRawText());
                return Task.FromResult(JsonNode.Parse(ctx.Payload.GetRawText()));
            })
            .AddHandler("flaky", ctx =>
            {
                calls.Enqueue("flaky " + ctx.Payload.GetRawText());
                return healed?.Invoke() == true
                    ? Task.FromResult<JsonNode?>(new JsonObject { ["charged"] = true })
                    : throw new InvalidOperationException("the card was declined");
            }));
        await t.StartAsync();
        return t;
    }

    private static async Task<WorkflowSeen> WorkflowAsync(TestEngine t, long runId) => new(await t.Client.GetWorkflowRunAsync(runId));

    private sealed record WorkflowSeen(WorkflowRunInfo Info)
    {
        public string StateOf(string step) => Info.Steps.Single(s => s.Id == step).State;

        public WorkflowStepInfo Step(string step) => Info.Steps.Single(s => s.Id == step);
    }

    private static Task StepStartedAsync(TestEngine t, long runId, string step) =>
        Eventually.TrueAsync(async () => (await t.Store.GetWorkflowAsync(runId, CancellationToken.None))?.Steps.Single(s => s.StepId == step).State == StepStates.Started,
            $"step '{step}' to start");

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Retry_runs_again_only_the_failed_step_with_the_same_input_and_the_workflow_completes(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        var healed = false;
        await using var t = await EngineAsync(store, calls, () => healed);
        await t.Engine.SaveJobAsync(new JobDefinition
        {
            Name = "order",
            Executor = new WorkflowExecutorSpec(
            [
                Inline("reserve", "record", """{"sku": "{{input.sku}}"}"""),
                Inline("charge", "flaky", """{"for": "{{steps.reserve.output.sku}}"}""", "reserve"),
                Inline("ship", "record", """{"ship": "{{steps.reserve.output.sku}}"}""", "charge"),
            ]),
        });
        var run = await t.Client.StartWorkflowAsync("order", """{"sku": "A1"}""");
        await t.WaitForStateAsync(run.RunId, RunState.Dead);
        var failedRun = (await WorkflowAsync(t, run.RunId)).Step("charge").RunId;

        healed = true;
        var retried = await t.Client.RetryWorkflowAsync(run.RunId);

        Assert.Equal(WorkflowStates.Running, retried.State);
        var ended = await t.WaitForStateAsync(run.RunId, RunState.Succeeded);
        Assert.Null(ended.Error);
        Assert.Equal(["""{"sku": "A1"}""", """flaky {"for": "A1"}""", """flaky {"for": "A1"}""", """{"ship": "A1"}"""], calls);
        var workflow = await WorkflowAsync(t, run.RunId);
        Assert.Equal(WorkflowStates.Succeeded, workflow.Info.State);
        Assert.NotEqual(failedRun, workflow.Step("charge").RunId);
        Assert.Contains("workflow.retried", await t.JournalKindsAsync(run.RunId));

        var refused = await Assert.ThrowsAsync<KairosConflictException>(() => t.Client.RetryWorkflowAsync(run.RunId));
        Assert.Equal($"workflow run {run.RunId} is succeeded: retry needs it failed or cancelled", refused.Message);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Skipping_a_sleeping_step_ends_it_with_the_given_output_and_the_next_step_reads_it(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        await t.Engine.SaveJobAsync(new JobDefinition
        {
            Name = "approval",
            Executor = new WorkflowExecutorSpec(
            [
                new WorkflowStep("cool-off") { Sleep = TimeSpan.FromDays(3) },
                Inline("ship", "record", """{"approved": "{{steps.cool-off.output.by}}"}""", "cool-off"),
            ]),
        });
        var run = await t.Client.StartWorkflowAsync("approval", "{}");
        await StepStartedAsync(t, run.RunId, "cool-off");
        var sleeping = (await WorkflowAsync(t, run.RunId)).Step("cool-off").RunId!.Value;

        await Assert.ThrowsAsync<KairosNotFoundException>(() => t.Client.SkipWorkflowStepAsync(run.RunId, "nope", "{}"));
        var bad = await Assert.ThrowsAsync<KairosValidationException>(() => t.Client.SkipWorkflowStepAsync(run.RunId, "cool-off", "{by"));
        Assert.StartsWith("output", bad.Message);
        await t.Client.SkipWorkflowStepAsync(run.RunId, "cool-off", """{"by": "ann"}""");

        await t.WaitForStateAsync(run.RunId, RunState.Succeeded);
        Assert.Equal(["""{"approved": "ann"}"""], calls);
        Assert.Equal(RunState.Cancelled, (await t.RunAsync(sleeping)).State);
        var workflow = await WorkflowAsync(t, run.RunId);
        Assert.Equal((StepStates.Succeeded, """{"by": "ann"}"""), (workflow.StateOf("cool-off"), workflow.Step("cool-off").Output));
        var refused = await Assert.ThrowsAsync<KairosConflictException>(() => t.Client.SkipWorkflowStepAsync(run.RunId, "ship", "{}"));
        Assert.Contains("is succeeded", refused.Message);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Skipping_the_failed_step_of_a_failed_workflow_reopens_it_and_it_completes_without_that_step(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        await t.Engine.SaveJobAsync(new JobDefinition
        {
            Name = "order",
            Executor = new WorkflowExecutorSpec(
            [
                Inline("charge", "flaky", "{}"),
                Inline("ship", "record", """{"charged": "{{steps.charge.output.charged}}"}""", "charge"),
            ]),
        });
        var run = await t.Client.StartWorkflowAsync("order", "{}");
        await t.WaitForStateAsync(run.RunId, RunState.Dead);
        await Assert.ThrowsAsync<KairosConflictException>(() => t.Client.SkipWorkflowStepAsync(run.RunId, "ship", "{}"));

        await t.Client.SkipWorkflowStepAsync(run.RunId, "charge", """{"charged": "by hand"}""");

        var ended = await t.WaitForStateAsync(run.RunId, RunState.Succeeded);
        Assert.Null(ended.Error);
        Assert.Equal(["flaky {}", """{"charged": "by hand"}"""], calls);
        var kinds = await t.JournalKindsAsync(run.RunId);
        Assert.Contains("workflow.step-skipped", kinds);
        Assert.Contains("workflow.retried", kinds);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_paused_workflow_lets_its_step_finish_starts_nothing_new_and_resuming_starts_what_became_ready(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        await t.Engine.SaveJobAsync(new JobDefinition
        {
            Name = "nap",
            Executor = new WorkflowExecutorSpec(
            [
                new WorkflowStep("wait") { Sleep = TimeSpan.FromHours(1) },
                Inline("after", "record", """{"woke": true}""", "wait"),
            ]),
        });
        var run = await t.Client.StartWorkflowAsync("nap", "{}");
        await StepStartedAsync(t, run.RunId, "wait");

        Assert.Equal(WorkflowStates.Paused, (await t.Client.PauseWorkflowAsync(run.RunId)).State);
        var again = await Assert.ThrowsAsync<KairosConflictException>(() => t.Client.PauseWorkflowAsync(run.RunId));
        Assert.Equal($"workflow run {run.RunId} is paused: pause needs it running", again.Message);
        t.Clock.Advance(TimeSpan.FromHours(1));
        await Eventually.TrueAsync(async () => (await WorkflowAsync(t, run.RunId)).StateOf("wait") == StepStates.Succeeded, "the sleep to end");
        // Once the dispatcher has nothing left to start: a step queued despite the pause would have started by then.
        await Eventually.TrueAsync(() => t.Engine.Dispatcher.ActiveCount == 0 && t.Engine.Dispatcher.SleepingUntil is not null, "the dispatcher to sleep");
        var paused = await WorkflowAsync(t, run.RunId);
        Assert.Equal((WorkflowStates.Paused, StepStates.Pending), (paused.Info.State, paused.StateOf("after")));
        Assert.Equal(RunState.Waiting, (await t.RunAsync(run.RunId)).State);
        Assert.Empty(calls);

        await t.Client.ResumeWorkflowAsync(run.RunId);

        await t.WaitForStateAsync(run.RunId, RunState.Succeeded);
        Assert.Equal(["""{"woke": true}"""], calls);
        Assert.Equal(["workflow.paused", "workflow.resumed"], (await t.JournalKindsAsync(run.RunId)).Where(k => k is "workflow.paused" or "workflow.resumed"));
        await Assert.ThrowsAsync<KairosConflictException>(() => t.Client.ResumeWorkflowAsync(run.RunId));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Cancelling_with_compensation_cancels_the_waiting_step_undoes_the_completed_steps_in_reverse_and_ends_cancelled(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        WorkflowStep Undoable(string id, params string[] needs) => Inline(id, "record", $$"""{"do": "{{id}}"}""", needs) with
        {
            Compensate = new WorkflowAction { Run = new HandlerExecutorSpec("record"), Input = $$"""{"undo": "{{id}}"}""", Retry = Once },
        };
        await t.Engine.SaveJobAsync(new JobDefinition
        {
            Name = "trip",
            Executor = new WorkflowExecutorSpec(
            [
                Undoable("flight"),
                Undoable("hotel", "flight"),
                new WorkflowStep("wait") { Needs = ["hotel"], Sleep = TimeSpan.FromDays(1) },
            ]),
        });
        var run = await t.Client.StartWorkflowAsync("trip", "{}");
        await StepStartedAsync(t, run.RunId, "wait");

        await t.Client.CancelWorkflowAsync(run.RunId, compensate: true);

        var ended = await t.WaitForStateAsync(run.RunId, RunState.Cancelled);
        Assert.Equal("cancelled on request; 2 step(s) compensated", ended.Error);
        Assert.Equal(["""{"do": "flight"}""", """{"do": "hotel"}""", """{"undo": "hotel"}""", """{"undo": "flight"}"""], calls);
        var workflow = await WorkflowAsync(t, run.RunId);
        Assert.Equal((WorkflowStates.Cancelled, StepStates.Cancelled), (workflow.Info.State, workflow.StateOf("wait")));
        Assert.Contains("workflow.cancel-requested", await t.JournalKindsAsync(run.RunId));
        var refused = await Assert.ThrowsAsync<KairosConflictException>(() => t.Client.CancelWorkflowAsync(run.RunId));
        Assert.Contains("is cancelled", refused.Message);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Cancelling_without_compensation_ends_at_once_and_a_retry_starts_the_cancelled_step_again(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        await t.Engine.SaveJobAsync(new JobDefinition
        {
            Name = "nap",
            Executor = new WorkflowExecutorSpec(
            [
                Inline("first", "record", """{"n": 1}"""),
                new WorkflowStep("wait") { Needs = ["first"], Sleep = TimeSpan.FromHours(1) },
            ]),
        });
        var run = await t.Client.StartWorkflowAsync("nap", "{}");
        await StepStartedAsync(t, run.RunId, "wait");

        Assert.Equal(WorkflowStates.Cancelled, (await t.Client.CancelWorkflowAsync(run.RunId)).State);
        Assert.Equal(RunState.Cancelled, (await t.RunAsync(run.RunId)).State);

        await t.Client.RetryWorkflowAsync(run.RunId);
        await StepStartedAsync(t, run.RunId, "wait");
        Assert.Equal(RunState.Waiting, (await t.RunAsync(run.RunId)).State);
        t.Clock.Advance(TimeSpan.FromHours(1));
        await t.WaitForStateAsync(run.RunId, RunState.Succeeded);
        Assert.Equal(["""{"n": 1}"""], calls);
    }
}
