using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Tests.Support;
using Kairos.Workflows;

namespace Kairos.Tests.Workflows;

/// <summary>Compensation follows the graph: parallel branches are undone together, a step only after the steps built on it.</summary>
public sealed class WorkflowCompensationTests
{
    private static readonly RetryPolicy Once = RetryPolicy.Default with { MaxAttempts = 1 };

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Parallel_branches_compensate_together_and_the_step_they_share_after_both(TestStore store)
    {
        var undoing = new ConcurrentQueue<string>();
        var branchesMayEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var t = await TestEngine.CreateAsync(store: store, handlers: k => k
            .AddHandler("undo", async ctx =>
            {
                var step = ctx.Payload.GetProperty("undo").GetString()!;
                undoing.Enqueue("start " + step);
                if (step != "a")
                {
                    // Held until the test has seen both branches' compensations running at once.
                    await branchesMayEnd.Task.WaitAsync(TimeSpan.FromSeconds(30));
                }
                undoing.Enqueue("end " + step);
                return null;
            })
            .AddHandler("boom", _ => throw new InvalidOperationException("the join failed")));
        WorkflowStep Undoable(string id, params string[] needs) => new(id)
        {
            Run = new HandlerExecutorSpec("ok"),
            Needs = needs,
            Retry = Once,
            Compensate = new WorkflowAction { Run = new HandlerExecutorSpec("undo"), Input = $$"""{"undo": "{{id}}"}""", Retry = Once },
        };
        await t.Engine.SaveJobAsync(new JobDefinition
        {
            Name = "diamond",
            Executor = new WorkflowExecutorSpec(
            [
                Undoable("a"),
                Undoable("b", "a"),
                Undoable("c", "a"),
                new WorkflowStep("d") { Run = new HandlerExecutorSpec("boom"), Needs = ["b", "c"], Retry = Once },
            ])
            { OnFailure = WorkflowFailure.Compensate },
        });
        await t.StartAsync();

        var run = await t.Engine.RunNowAsync("diamond", "{}");
        await Eventually.TrueAsync(() => undoing.Contains("start b") && undoing.Contains("start c"), "b and c to be compensating at once");
        Assert.DoesNotContain("start a", undoing);
        branchesMayEnd.SetResult();

        var ended = await t.WaitForStateAsync(run.RunId, RunState.Dead);
        var order = undoing.ToList();
        Assert.True(order.IndexOf("start a") > Math.Max(order.IndexOf("end b"), order.IndexOf("end c")), string.Join(", ", order));
        Assert.Contains("3 step(s) compensated", ended.Error);
        var workflow = (await t.Store.GetWorkflowAsync(run.RunId, CancellationToken.None))!;
        Assert.Equal(WorkflowStates.Compensated, workflow.Workflow.State);
    }
}
