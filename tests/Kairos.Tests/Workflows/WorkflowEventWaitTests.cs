using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;
using Kairos.Workflows;

namespace Kairos.Tests.Workflows;

/// <summary>waitForEvent on a real engine (SQLite file and in-memory driver, fake clock): released by an event published before or after the wait started, or timed out.</summary>
public sealed class WorkflowEventWaitTests
{
    private static readonly WorkflowExecutorSpec Order = new(
    [
        new WorkflowStep("pay") { WaitForEvent = new EventWait("payment.received", TimeSpan.FromHours(1)) { Match = "event.data.order == {{input.order}}" } },
        new WorkflowStep("ship") { Run = new HandlerExecutorSpec("record"), Needs = ["pay"], When = "steps.pay.output != null", Input = """{"ship": "{{steps.pay.output.amount}}"}""" },
        new WorkflowStep("remind") { Run = new HandlerExecutorSpec("record"), Needs = ["pay"], When = "steps.pay.output == null", Input = """{"remind": "{{input.order}}"}""" },
    ]);

    private static async Task<TestEngine> EngineAsync(TestStore store, ConcurrentQueue<string> calls)
    {
        var t = await TestEngine.CreateAsync(store: store, handlers: k => k.AddHandler("record", ctx =>
        {
            calls.Enqueue(ctx.Payload.GetRawText());
            return Task.FromResult<JsonNode?>(null);
        }));
        await t.Engine.SaveJobAsync(new JobDefinition { Name = "order", Executor = Order });
        return t;
    }

    private static Task PublishAsync(TestEngine t, int order, int amount) =>
        t.Client.PublishAsync(new EventRequest("payment.received", "shop") { Data = $$"""{"order": {{order}}, "amount": {{amount}}}""" });

    /// <summary>Starts the engine and an order flow for order 7, and waits until its look-back found nothing and it waits on in a run due at its deadline.</summary>
    private static async Task<long> WaitingOnAsync(TestEngine t)
    {
        await t.StartAsync();
        var run = await t.Engine.RunNowAsync("order", """{"order": 7}""");
        await Eventually.TrueAsync(async () => (await t.JournalKindsAsync(run.RunId)).Contains("workflow.step-waiting"), "the wait to wait on");
        return run.RunId;
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task An_event_published_while_the_step_waits_releases_it_and_others_are_ignored(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        var workflow = await WaitingOnAsync(t);

        await PublishAsync(t, order: 8, amount: 1);
        await t.Client.PublishAsync(new EventRequest("payment.refused", "shop") { Data = """{"order": 7}""" });
        Assert.Equal(RunState.Waiting, (await t.RunAsync(workflow)).State);
        await PublishAsync(t, order: 7, amount: 40);

        await t.WaitForStateAsync(workflow, RunState.Succeeded);
        Assert.Equal(["""{"ship": 40}"""], calls);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task An_event_published_between_the_workflow_starting_and_its_wait_being_stored_is_not_missed(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        // Started, but not executed until the engine runs: the wait does not exist yet when the event comes.
        var run = await t.Engine.RunNowAsync("order", """{"order": 7}""");
        await PublishAsync(t, order: 7, amount: 40);

        await t.StartAsync();

        await t.WaitForStateAsync(run.RunId, RunState.Succeeded);
        Assert.Equal(["""{"ship": 40}"""], calls);
        Assert.DoesNotContain("workflow.step-waiting", await t.JournalKindsAsync(run.RunId));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_wait_with_no_event_times_out_on_the_clock_and_the_step_reading_null_runs(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        var workflow = await WaitingOnAsync(t);

        t.Clock.Advance(TimeSpan.FromHours(1));

        await t.WaitForStateAsync(workflow, RunState.Succeeded);
        Assert.Equal(["""{"remind": 7}"""], calls);
        var pay = (await t.Store.GetWorkflowAsync(workflow, CancellationToken.None))!.Steps.Single(s => s.StepId == "pay");
        Assert.Equal((StepStates.Succeeded, null), (pay.State, pay.Output));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task An_event_a_webhook_publishes_releases_the_wait_and_the_next_step_runs_without_the_clock_moving(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        var workflow = await WaitingOnAsync(t);
        // Asleep until the wait's deadline, an hour away on a clock that does not move: only a wake-up runs the next step.
        await Eventually.TrueAsync(() => t.Engine.Dispatcher.ActiveCount == 0 && t.Engine.Dispatcher.SleepingUntil is not null, "the dispatcher to sleep");

        await t.Engine.AcceptWebhookAsync(new WebhookDelivery("payments", null, """{"order": 7, "amount": 40}""", t.Clock.GetUtcNow()) { Publish = "payment.received" });

        await t.WaitForStateAsync(workflow, RunState.Succeeded);
        Assert.Equal(["""{"ship": 40}"""], calls);
    }
}
