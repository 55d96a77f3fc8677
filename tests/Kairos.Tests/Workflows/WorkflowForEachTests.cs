using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Tests.Support;
using Kairos.Workflows;

namespace Kairos.Tests.Workflows;

/// <summary>forEach: a step fans out over a list and the join gets the results in order; a definition saved meanwhile does not touch a run in flight.</summary>
public sealed class WorkflowForEachTests
{
    private static readonly RetryPolicy Once = RetryPolicy.Default with { MaxAttempts = 1 };

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task One_step_fans_out_to_fifty_items_at_most_five_at_once_and_the_join_gets_their_outputs_in_order(TestStore store)
    {
        int running = 0, most = 0;
        await using var t = await TestEngine.CreateAsync(store: store, configure: o => o.Workers = 16, handlers: k => k
            .AddHandler("square", async ctx =>
            {
                AtomicMax.Raise(ref most, Interlocked.Increment(ref running));
                await Task.Delay(5);
                Interlocked.Decrement(ref running);
                var n = ctx.Payload.GetProperty("n").GetInt32();
                return new JsonObject { ["square"] = n * n, ["at"] = ctx.Payload.GetProperty("index").GetInt32() };
            })
            .AddHandler("sum", ctx => Task.FromResult<JsonNode?>(new JsonObject
            {
                ["total"] = ctx.Payload.GetProperty("all").EnumerateArray().Sum(e => e.GetProperty("square").GetInt32()),
                ["order"] = new JsonArray(ctx.Payload.GetProperty("all").EnumerateArray().Select(e => (JsonNode?)e.GetProperty("at").GetInt32()).ToArray()),
            })));
        await t.Engine.SaveJobAsync(new JobDefinition
        {
            Name = "fan",
            Executor = new WorkflowExecutorSpec(
            [
                new WorkflowStep("each") { Run = new HandlerExecutorSpec("square"), Retry = Once, ForEach = "{{input.numbers}}", MaxParallel = 5, Input = """{"n": "{{item}}", "index": "{{index}}"}""" },
                new WorkflowStep("join") { Run = new HandlerExecutorSpec("sum"), Retry = Once, Needs = ["each"], Input = """{"all": "{{steps.each.output}}"}""" },
            ])
            { Output = "{{steps.join.output}}" },
        });
        await t.StartAsync();

        var numbers = Enumerable.Range(1, 50).ToArray();
        var run = await t.Engine.RunNowAsync("fan", JsonSerializer.Serialize(new { numbers }));
        var ended = await t.WaitForStateAsync(run.RunId, RunState.Succeeded, timeoutMs: 60_000);

        using var output = JsonDocument.Parse(ended.Output!);
        Assert.Equal(numbers.Sum(n => n * n), output.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(Enumerable.Range(0, 50), output.RootElement.GetProperty("order").EnumerateArray().Select(e => e.GetInt32()));
        Assert.InRange(most, 1, 5);
        var workflow = (await t.Store.GetWorkflowAsync(run.RunId, CancellationToken.None))!;
        Assert.Equal(52, workflow.Steps.Count);
        Assert.All(workflow.Steps, s => Assert.Equal(StepStates.Succeeded, s.State));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_failing_item_fails_the_step_and_a_list_that_is_not_a_list_says_so(TestStore store)
    {
        await using var t = await TestEngine.CreateAsync(store: store, handlers: k => k.AddHandler("picky", ctx =>
            ctx.Payload.GetInt32() == 3 ? throw new InvalidOperationException("three is bad") : Task.FromResult<JsonNode?>(new JsonObject())));
        await t.Engine.SaveJobAsync(new JobDefinition
        {
            Name = "fan",
            Executor = new WorkflowExecutorSpec([new WorkflowStep("each") { Run = new HandlerExecutorSpec("picky"), Retry = Once, ForEach = "{{input.items}}" }]),
        });
        await t.StartAsync();

        var failing = await t.WaitForStateAsync((await t.Engine.RunNowAsync("fan", """{"items": [1, 2, 3, 4]}""")).RunId, RunState.Dead);
        Assert.Equal("step 'each' failed: item 2 failed: InvalidOperationException: three is bad", failing.Error);

        var notList = await t.WaitForStateAsync((await t.Engine.RunNowAsync("fan", """{"items": {"a": 1}}""")).RunId, RunState.Dead);
        Assert.Equal("step 'each' failed: forEach did not give a list", notList.Error);

        var empty = await t.WaitForStateAsync((await t.Engine.RunNowAsync("fan", """{"items": []}""")).RunId, RunState.Succeeded);
        Assert.Equal("""{"each":[]}""", empty.Output);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_run_in_flight_finishes_on_the_definition_it_started_with(TestStore store)
    {
        var seen = new List<string>();
        await using var t = await TestEngine.CreateAsync(store: store, handlers: k => k.AddHandler("note", ctx =>
        {
            lock (seen)
            {
                seen.Add(ctx.Payload.GetProperty("v").GetString()!);
            }
            return Task.FromResult<JsonNode?>(new JsonObject());
        }));
        JobDefinition Version(string v) => new()
        {
            Name = "flow",
            Executor = new WorkflowExecutorSpec(
            [
                new WorkflowStep("wait") { Sleep = TimeSpan.FromMinutes(5) },
                new WorkflowStep("after") { Run = new HandlerExecutorSpec("note"), Needs = ["wait"], Input = $$"""{"v": "{{v}}"}""" },
            ]),
        };
        await t.Engine.SaveJobAsync(Version("one"));
        await t.StartAsync();
        var first = await t.Engine.RunNowAsync("flow");
        await Eventually.TrueAsync(async () => (await t.RunAsync(first.RunId)).State == RunState.Waiting, "the first run to wait");

        await t.Engine.SaveJobAsync(Version("two"));
        var second = await t.Engine.RunNowAsync("flow");
        await Eventually.TrueAsync(async () => (await t.RunAsync(second.RunId)).State == RunState.Waiting, "the second run to wait");
        t.Clock.Advance(TimeSpan.FromMinutes(5));
        await t.WaitForStateAsync(first.RunId, RunState.Succeeded);
        await t.WaitForStateAsync(second.RunId, RunState.Succeeded);

        Assert.Equal(["one", "two"], seen.Order());
    }
}
