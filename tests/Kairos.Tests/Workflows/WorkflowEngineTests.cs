using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;
using Kairos.Tests.Support;
using Kairos.Workflows;

namespace Kairos.Tests.Workflows;

/// <summary>Workflows on a real engine (SQLite file and in-memory driver): steps run as ordinary runs and the workflow's run ends with them.</summary>
public sealed class WorkflowEngineTests
{
    private static readonly RetryPolicy Once = RetryPolicy.Default with { MaxAttempts = 1 };

    private static WorkflowStep Inline(string id, string handler, params string[] needs) =>
        new(id) { Run = new HandlerExecutorSpec(handler), Needs = needs, Retry = Once };

    private static JobDefinition Workflow(string name, WorkflowExecutorSpec spec) => new() { Name = name, Executor = spec };

    private static async Task<TestEngine> EngineAsync(TestStore store, ConcurrentQueue<string> calls) =>
        await TestEngine.CreateAsync(store: store, handlers: k => k
            .AddHandler("stock", ctx =>
            {
                calls.Enqueue("stock");
                return Task.FromResult<JsonNode?>(new JsonObject { ["available"] = ctx.Payload.GetProperty("sku").GetString() == "A1" ? 5 : 0 });
            })
            .AddHandler("record", ctx =>
            {
                calls.Enqueue(ctx.Payload.GetRawText());
                return Task.FromResult<JsonNode?>(JsonNode.Parse(ctx.Payload.GetRawText()));
            })
            .AddHandler("boom", _ =>
            {
                calls.Enqueue("boom");
                throw new InvalidOperationException("carrier refused the parcel");
            }));

    private static async Task<StoredWorkflow> WorkflowAsync(TestEngine t, long runId) => (await t.Store.GetWorkflowAsync(runId, CancellationToken.None))!;

    private static string StateOf(StoredWorkflow w, string step) => w.Steps.Single(s => s.StepId == step).State;

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task An_order_flow_checks_stock_then_charges_or_back_orders_and_ends_with_its_output(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        await t.Engine.SaveJobAsync(TestEngine.Job("validate", "record"));
        await t.Engine.SaveJobAsync(Workflow("order", new WorkflowExecutorSpec(
        [
            new WorkflowStep("validate") { Job = "validate" },
            Inline("check", "stock", "validate") with { Input = """{"sku": "{{input.sku}}"}""" },
            Inline("charge", "record", "check") with
            {
                When = "steps.check.output.available >= input.quantity",
                Input = """{"charge": "{{input.sku}}", "quantity": "{{input.quantity}}"}""",
            },
            Inline("backorder", "record", "check") with { When = "steps.check.output.available < input.quantity", Input = """{"backorder": "{{input.sku}}"}""" },
        ])
        { Output = """{"available": "{{steps.check.output.available}}", "charged": "{{steps.charge.output}}"}""" }));
        await t.StartAsync();

        var run = await t.Engine.RunNowAsync("order", """{"sku": "A1", "quantity": 2}""");
        var ended = await t.WaitForStateAsync(run.RunId, RunState.Succeeded);

        using var output = JsonDocument.Parse(ended.Output!);
        Assert.Equal(5, output.RootElement.GetProperty("available").GetInt32());
        Assert.Equal("A1", output.RootElement.GetProperty("charged").GetProperty("charge").GetString());
        Assert.Equal(2, output.RootElement.GetProperty("charged").GetProperty("quantity").GetInt32());
        var workflow = await WorkflowAsync(t, run.RunId);
        Assert.Equal(WorkflowStates.Succeeded, workflow.Workflow.State);
        Assert.Equal([StepStates.Succeeded, StepStates.Succeeded, StepStates.Succeeded, StepStates.Skipped], workflow.Steps.Select(s => s.State));
        Assert.Contains("condition is false", workflow.Steps.Single(s => s.StepId == "backorder").Error);
        Assert.DoesNotContain(calls, c => c.Contains("backorder", StringComparison.Ordinal));

        // Every step ran as an ordinary run of the workflow, and the journal tells the story.
        var steps = await t.Store.ListRunsAsync(new RunQuery(), CancellationToken.None);
        Assert.Equal(3, steps.Count(r => r.Source == TriggerSources.Workflow && r.ParentRunId == run.RunId));
        var kinds = await t.JournalKindsAsync(run.RunId);
        Assert.Equal(["run.enqueued", "run.started", "run.waiting", "workflow.started"], kinds.Take(4));
        Assert.Contains("workflow.step-skipped", kinds);
        Assert.Equal("run.succeeded", kinds[^1]);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Parallel_branches_join_and_the_join_reads_both_outputs(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        await t.Engine.SaveJobAsync(Workflow("fan", new WorkflowExecutorSpec(
        [
            Inline("left", "record") with { Input = """{"side": "left"}""" },
            Inline("right", "record") with { Input = """{"side": "right"}""" },
            Inline("join", "record", "left", "right") with { Input = """{"got": ["{{steps.left.output.side}}", "{{steps.right.output.side}}"]}""" },
        ])));
        await t.StartAsync();

        var run = await t.Engine.RunNowAsync("fan", "{}");
        var ended = await t.WaitForStateAsync(run.RunId, RunState.Succeeded);

        Assert.Contains("""{"got":["left","right"]}""", calls.Select(c => c.Replace(" ", "", StringComparison.Ordinal)));
        using var output = JsonDocument.Parse(ended.Output!);
        Assert.Equal("right", output.RootElement.GetProperty("right").GetProperty("side").GetString());
        var workflow = await WorkflowAsync(t, run.RunId);
        Assert.True(workflow.Steps.Single(s => s.StepId == "join").EndedSeq > workflow.Steps.Where(s => s.StepId != "join").Max(s => s.EndedSeq));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_failure_compensates_the_completed_steps_in_reverse_order(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        WorkflowStep Undoable(string id, params string[] needs) => Inline(id, "record", needs) with
        {
            Input = $$"""{"do": "{{id}}"}""",
            Compensate = new WorkflowAction { Run = new HandlerExecutorSpec("record"), Input = $$$"""{"undo": "{{steps.{{{id}}}.output.do}}"}""", Retry = Once },
        };
        await t.Engine.SaveJobAsync(Workflow("saga", new WorkflowExecutorSpec(
        [
            Undoable("reserve"),
            Undoable("charge", "reserve"),
            Undoable("label", "charge"),
            Inline("ship", "boom", "label"),
        ])
        { OnFailure = WorkflowFailure.Compensate }));
        await t.StartAsync();

        var run = await t.Engine.RunNowAsync("saga", "{}");
        var ended = await t.WaitForStateAsync(run.RunId, RunState.Dead);

        var undone = calls.Where(c => c.Contains("undo", StringComparison.Ordinal)).Select(c => JsonNode.Parse(c)!["undo"]!.GetValue<string>()).ToList();
        Assert.Equal(["label", "charge", "reserve"], undone);
        Assert.Contains("step 'ship' failed: InvalidOperationException: carrier refused the parcel", ended.Error);
        Assert.Contains("3 step(s) compensated", ended.Error);
        var workflow = await WorkflowAsync(t, run.RunId);
        Assert.Equal(WorkflowStates.Compensated, workflow.Workflow.State);
        Assert.All(workflow.Steps.Where(s => s.StepId != "ship"), s => Assert.Equal(StepStates.Succeeded, s.CompensationState));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_failed_step_fails_the_workflow_and_its_dependants_never_run(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        await t.Engine.SaveJobAsync(Workflow("strict", new WorkflowExecutorSpec(
        [
            Inline("first", "boom"),
            Inline("second", "record", "first") with { Input = """{"never": true}""" },
        ])));
        await t.StartAsync();

        var run = await t.Engine.RunNowAsync("strict", "{}");
        var ended = await t.WaitForStateAsync(run.RunId, RunState.Dead);

        Assert.StartsWith("step 'first' failed", ended.Error);
        Assert.DoesNotContain(calls, c => c.Contains("never", StringComparison.Ordinal));
        var workflow = await WorkflowAsync(t, run.RunId);
        Assert.Equal(WorkflowStates.Failed, workflow.Workflow.State);
        Assert.Equal(StepStates.Pending, StateOf(workflow, "second"));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task With_continue_a_failure_runs_the_on_failure_branch_and_skips_the_success_branch(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        await t.Engine.SaveJobAsync(Workflow("lenient", new WorkflowExecutorSpec(
        [
            Inline("try", "boom"),
            Inline("happy", "record", "try") with { Input = """{"happy": true}""" },
            Inline("alert", "record", "try") with { RunIf = StepRunIf.OnFailure, Input = """{"alert": "{{steps.try.error}}"}""" },
            Inline("cleanup", "record", "happy", "alert") with { RunIf = StepRunIf.Always, Input = """{"cleanup": true}""" },
        ])
        { OnFailure = WorkflowFailure.Continue }));
        await t.StartAsync();

        var run = await t.Engine.RunNowAsync("lenient", "{}");
        await t.WaitForStateAsync(run.RunId, RunState.Succeeded);

        var workflow = await WorkflowAsync(t, run.RunId);
        Assert.Equal([StepStates.Failed, StepStates.Skipped, StepStates.Succeeded, StepStates.Succeeded], workflow.Steps.Select(s => s.State));
        Assert.Contains(calls, c => c.Contains("carrier refused the parcel", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_sleep_step_waits_on_the_clock_and_cancelling_the_workflow_cancels_the_step_it_waits_in(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        await t.Engine.SaveJobAsync(Workflow("nap", new WorkflowExecutorSpec(
        [
            new WorkflowStep("wait") { Sleep = TimeSpan.FromHours(1) },
            Inline("after", "record", "wait") with { Input = """{"woke": true}""" },
        ])));
        await t.StartAsync();

        var slept = await t.Engine.RunNowAsync("nap", "{}");
        await Eventually.TrueAsync(async () => (await t.Store.GetWorkflowAsync(slept.RunId, CancellationToken.None))?.Steps[0].State == StepStates.Started, "the sleep to start");
        t.Clock.Advance(TimeSpan.FromHours(1));
        await t.WaitForStateAsync(slept.RunId, RunState.Succeeded);
        Assert.Contains(calls, c => c.Contains("woke", StringComparison.Ordinal));

        var cancelled = await t.Engine.RunNowAsync("nap", "{}");
        await Eventually.TrueAsync(async () => (await t.RunAsync(cancelled.RunId)).State == RunState.Waiting, "the workflow to wait");
        Assert.Equal(CancelResult.Cancelled, await t.Client.CancelRunAsync(cancelled.RunId));

        Assert.Equal(RunState.Cancelled, (await t.RunAsync(cancelled.RunId)).State);
        var workflow = await WorkflowAsync(t, cancelled.RunId);
        Assert.Equal(WorkflowStates.Cancelled, workflow.Workflow.State);
        Assert.Equal(StepStates.Cancelled, StateOf(workflow, "wait"));
        Assert.Equal(RunState.Cancelled, (await t.RunAsync(workflow.Steps[0].RunId!.Value)).State);
    }

    [Fact]
    public async Task A_namespaced_workflow_keeps_its_steps_in_its_namespace()
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(TestStore.Memory, calls);
        await t.Engine.SaveJobAsync(Workflow("billing/flow", new WorkflowExecutorSpec([Inline("one", "record") with { Input = """{"n": 1}""" }])));
        await t.Engine.SaveJobAsync(TestEngine.Job("ok-job"));
        await t.StartAsync();

        var run = await t.Client.In("billing").StartWorkflowAsync("flow", "{}");
        await Assert.ThrowsAsync<KairosValidationException>(() => t.Client.StartWorkflowAsync("ok-job"));
        await t.WaitForStateAsync(run.RunId, RunState.Succeeded);

        var billing = t.Client.In("billing");
        var steps = await billing.ListRunsAsync(new RunQuery { ParentRunId = run.RunId });
        Assert.Equal("billing/kairos.step", Assert.Single(steps).JobName);
        Assert.Equal("succeeded", (await billing.GetWorkflowRunAsync(run.RunId)).State);
        await Assert.ThrowsAsync<KairosNotFoundException>(() => t.Client.In("other").GetWorkflowRunAsync(run.RunId));
    }

    [Fact]
    public async Task A_workflow_resumes_after_a_restart_without_running_a_completed_step_again()
    {
        var calls = new ConcurrentQueue<string>();
        using var directory = new TempDirectory();
        var database = directory.File("kairos.db");
        long runId;
        await using (var first = await TestEngine.CreateAsync(databasePath: database, handlers: k => k.AddHandler("record", ctx =>
        {
            calls.Enqueue(ctx.Payload.GetRawText());
            return Task.FromResult<JsonNode?>(new JsonObject());
        })))
        {
            await first.Engine.SaveJobAsync(Workflow("long", new WorkflowExecutorSpec(
            [
                Inline("before", "record") with { Input = """{"before": true}""" },
                new WorkflowStep("wait") { Sleep = TimeSpan.FromDays(1), Needs = ["before"] },
                Inline("after", "record", "wait") with { Input = """{"after": true}""" },
            ])));
            await first.StartAsync();
            runId = (await first.Engine.RunNowAsync("long", "{}")).RunId;
            await Eventually.TrueAsync(async () => (await first.Store.GetWorkflowAsync(runId, CancellationToken.None))?.Steps[1].State == StepStates.Started, "the sleep to start");
        }

        await using var second = await TestEngine.CreateAsync(databasePath: database, start: TestEngine.DefaultStart + TimeSpan.FromDays(2),
            handlers: k => k.AddHandler("record", ctx =>
            {
                calls.Enqueue(ctx.Payload.GetRawText());
                return Task.FromResult<JsonNode?>(new JsonObject());
            }));
        await second.StartAsync();
        await second.WaitForStateAsync(runId, RunState.Succeeded);

        Assert.Single(calls, c => c.Contains("before", StringComparison.Ordinal));
        Assert.Single(calls, c => c.Contains("after", StringComparison.Ordinal));
    }
}
