using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Kairos.Access;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Workflows;

/// <summary>Versions of a workflow's definition on a real engine (SQLite file and in-memory driver) and a fake clock: runs in flight keep theirs, a migration moves one.</summary>
public sealed class WorkflowVersionsTests
{
    private static readonly RetryPolicy Once = RetryPolicy.Default with { MaxAttempts = 1 };

    private static WorkflowStep Record(string id, string input, params string[] needs) =>
        new(id) { Run = new HandlerExecutorSpec("record"), Input = input, Needs = needs, Retry = Once };

    /// <summary>Prepare, wait an hour, then <paramref name="last"/>.</summary>
    private static JobDefinition Order(WorkflowStep last) => new()
    {
        Name = "order",
        Executor = new WorkflowExecutorSpec([Record("prepare", """{"prepare": true}"""), new WorkflowStep("wait") { Needs = ["prepare"], Sleep = TimeSpan.FromHours(1) }, last]),
    };

    private static readonly JobDefinition First = Order(Record("ship", """{"ship": "by post"}""", "wait"));
    private static readonly JobDefinition Second = Order(Record("courier", """{"ship": "by courier"}""", "wait"));

    private static async Task<TestEngine> EngineAsync(TestStore store, ConcurrentQueue<string> calls)
    {
        var t = await TestEngine.CreateAsync(store: store, handlers: k => k.AddHandler("record", ctx =>
        {
            calls.Enqueue(ctx.Payload.GetRawText());
            return Task.FromResult<JsonNode?>(null);
        }));
        await t.StartAsync();
        return t;
    }

    private static async Task<long> WaitingAsync(TestEngine t)
    {
        var run = (await t.Client.StartWorkflowAsync("order", "{}")).RunId;
        await Eventually.TrueAsync(async () => (await t.Store.GetWorkflowAsync(run, CancellationToken.None))?.Steps.Single(s => s.StepId == "wait").State == "started",
            "the wait to start");
        return run;
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_definition_change_with_runs_in_flight_leaves_them_on_their_old_graph_and_new_runs_take_the_new_one(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        await t.Client.SaveJobAsync(First);
        var old = await WaitingAsync(t);

        await t.Client.SaveJobAsync(Second);
        await t.Client.SaveJobAsync(Second); // Saved again unchanged: no new version.
        var fresh = await WaitingAsync(t);

        Assert.Equal(2, (await t.Client.GetWorkflowVersionAsync("order")).Version);
        Assert.Equal(["prepare", "wait", "ship"], (await t.Client.GetWorkflowVersionAsync("order", 1)).Definition.Steps.Select(s => s.Id));
        Assert.Equal((1, 2), ((await t.Client.GetWorkflowRunAsync(old)).Version, (await t.Client.GetWorkflowRunAsync(fresh)).Version));
        t.Clock.Advance(TimeSpan.FromHours(1));
        await t.WaitForStateAsync(old, RunState.Succeeded);
        await t.WaitForStateAsync(fresh, RunState.Succeeded);
        Assert.Equal(["ship"], (await t.Client.GetWorkflowRunAsync(old)).Steps.Select(s => s.Id).Skip(2));
        Assert.Equal(["courier"], (await t.Client.GetWorkflowRunAsync(fresh)).Steps.Select(s => s.Id).Skip(2));
        Assert.Equal(1, calls.Count(c => c.Contains("by post", StringComparison.Ordinal)));
        Assert.Equal(1, calls.Count(c => c.Contains("by courier", StringComparison.Ordinal)));
        await Assert.ThrowsAsync<KairosNotFoundException>(() => t.Client.GetWorkflowVersionAsync("order", 3));
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Migrating_a_waiting_run_takes_the_new_versions_steps_unless_a_step_it_ran_is_gone(TestStore store)
    {
        var calls = new ConcurrentQueue<string>();
        await using var t = await EngineAsync(store, calls);
        await t.Client.SaveJobAsync(First);
        var run = await WaitingAsync(t);
        await t.Client.SaveJobAsync(Second);
        await t.Client.SaveJobAsync(First with { Executor = new WorkflowExecutorSpec([new WorkflowStep("wait") { Sleep = TimeSpan.FromHours(1) }]) });

        var refused = await Assert.ThrowsAsync<KairosConflictException>(() => t.Client.MigrateWorkflowAsync(run, 3));
        Assert.Equal($"workflow run {run} cannot move to version 3: it has no step 'prepare', which the run has started or ended", refused.Message);
        await Assert.ThrowsAsync<KairosNotFoundException>(() => t.Client.MigrateWorkflowAsync(run, 9));
        var migrated = await t.Client.MigrateWorkflowAsync(run, 2);

        Assert.Equal(2, migrated.Version);
        Assert.Equal(["prepare", "wait", "courier"], migrated.Steps.Select(s => s.Id));
        t.Clock.Advance(TimeSpan.FromHours(1));
        await t.WaitForStateAsync(run, RunState.Succeeded);
        Assert.Equal(["""{"prepare": true}""", """{"ship": "by courier"}"""], calls);
        Assert.Contains("workflow.migrated", await t.JournalKindsAsync(run));
        var ended = await Assert.ThrowsAsync<KairosConflictException>(() => t.Client.MigrateWorkflowAsync(run, 1));
        Assert.Contains("is succeeded", ended.Message);
    }

    [Fact]
    public async Task Migrating_onto_a_version_with_a_command_needs_an_admin_who_may_declare_it()
    {
        await using var t = await EngineAsync(TestStore.Memory, new ConcurrentQueue<string>());
        await t.Client.SaveJobAsync(First);
        var run = await WaitingAsync(t); // On version 1; it stays waiting, as the clock is not moved.
        await t.Client.SaveJobAsync(Order(new WorkflowStep("ship") { Needs = ["wait"], Run = new CommandExecutorSpec(["/bin/echo", "shipped"]) })); // 2, by the application
        await t.Client.SaveJobAsync(Second); // 3
        var writer = t.Client.As(new KairosCaller("writer", KairosScope.Write));
        var admin = t.Client.As(new KairosCaller("admin", KairosScope.Admin, CommandsAllowed: true));

        var byWriter = await Assert.ThrowsAsync<KairosForbiddenException>(() => writer.MigrateWorkflowAsync(run, 2));

        Assert.Contains("runs a command in a workflow step", byWriter.Message);
        Assert.Equal(1, (await t.Client.GetWorkflowRunAsync(run)).Version); // The refusal did not move it.
        Assert.Equal(3, (await writer.MigrateWorkflowAsync(run, 3)).Version);
        Assert.Equal(2, (await admin.MigrateWorkflowAsync(run, 2)).Version);
    }
}
