using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Client;

/// <summary>The public client as a library user gets it from <c>AddKairos</c>, and as the server uses it.</summary>
public sealed class KairosClientTests
{
    private static async Task<TestEngine> EngineWithJobAsync(string job = "report")
    {
        var t = await TestEngine.CreateAsync();
        await t.Client.SaveJobAsync(TestEngine.Job(job, change: j => j with { Retry = j.Retry with { MaxAttempts = 1 } }));
        return t;
    }

    [Fact]
    public async Task A_run_enqueued_through_the_client_is_due_on_the_engines_clock()
    {
        // The manual clock stands still at a time of its own, days from the machine's: a run stamped
        // with the system clock (DateTimeOffset.UtcNow) would not match it.
        await using var t = await EngineWithJobAsync();
        t.Clock.Advance(TimeSpan.FromDays(3));

        var enqueued = await t.Client.EnqueueAsync(new RunRequest("report", TriggerSources.Manual) { Payload = """{"n":1}""" });
        var manual = await t.Client.RunNowAsync("report");

        Assert.Same(t.Engine.Clock, t.Client.Clock);
        foreach (var id in new[] { enqueued.RunId, manual.RunId })
        {
            var run = (await t.Client.GetRunAsync(id))!;
            Assert.Equal((RunState.Queued, t.Clock.GetUtcNow(), t.Clock.GetUtcNow()), (run.State, run.CreatedAt, run.DueAt));
        }
    }

    [PostgresFact]
    public Task On_a_node_an_hour_ahead_a_run_now_is_due_on_the_databases_time() =>
        NodeAheadOfDatabase.RunAsync("""
            jobs:
              report:
                handler: noop
            """, async server =>
        {
            var result = await server.Client.RunNowAsync("report");

            var databaseNow = await NodeAheadOfDatabase.DatabaseNowAsync(server);
            var run = (await server.Client.GetRunAsync(result.RunId))!;
            Assert.InRange(run.DueAt - databaseNow, TimeSpan.FromSeconds(-10), TimeSpan.FromSeconds(1));
            var finished = await server.Client.WaitForRunAsync(result.RunId, TimeSpan.FromSeconds(10));
            Assert.Equal(RunState.Succeeded, finished!.State);
        });

    [Fact]
    public async Task Cancel_and_retry_through_the_client_are_journaled_with_the_run()
    {
        await using var t = await EngineWithJobAsync(); // Not started: the run stays queued until cancelled.
        var id = (await t.Client.RunNowAsync("report")).RunId;

        Assert.Equal(CancelResult.Cancelled, await t.Client.CancelRunAsync(id));
        Assert.Equal(CancelResult.AlreadyFinished, await t.Client.CancelRunAsync(id));
        var retried = await t.Client.RetryRunAsync(id);

        Assert.Equal(RunState.Queued, retried.State);
        var kinds = (await t.Client.GetRunJournalAsync(id)).Select(e => e.Kind);
        Assert.Equal(["run.enqueued", "run.cancelled", "run.retried"], kinds);
        await Assert.ThrowsAsync<KairosNotFoundException>(() => t.Client.CancelRunAsync(id + 1000));
        await Assert.ThrowsAsync<KairosNotFoundException>(() => t.Client.GetRunLogAsync(id + 1000));
        await Assert.ThrowsAsync<KairosNotFoundException>(() => t.Client.GetRunJournalAsync(id + 1000));
    }

    [Fact]
    public async Task A_paused_job_refuses_a_run_now_until_it_is_resumed()
    {
        await using var t = await EngineWithJobAsync();

        await t.Client.PauseJobAsync("report");
        Assert.True((await t.Client.GetJobAsync("report"))!.Definition.Paused);
        await Assert.ThrowsAsync<KairosConflictException>(() => t.Client.RunNowAsync("report"));
        await t.Client.ResumeJobAsync("report");

        Assert.True((await t.Client.RunNowAsync("report")).Created);
        await Assert.ThrowsAsync<KairosNotFoundException>(() => t.Client.PauseJobAsync("nope"));
    }

    [Fact]
    public async Task A_published_event_runs_the_subscribed_job()
    {
        await using var t = await EngineWithJobAsync("ship");
        await t.Client.SaveSubscriptionAsync(new Subscription("big-orders", "order.*", "ship") { Filter = """{"data.amount": {"$gt": 100}}""" });
        await t.StartAsync();

        var published = await t.Client.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"amount": 250}""" });

        var runId = Assert.Single(published.Runs).RunId;
        var run = Assert.Single(await t.Client.ListRunsAsync(new RunQuery { EventId = published.EventId }));
        Assert.Equal((runId, "ship", "big-orders"), (run.Id, run.JobName, run.Subscription));
        await Eventually.TrueAsync(async () => (await t.Client.GetRunAsync(runId))!.State == RunState.Succeeded, "the event's run to succeed");
        Assert.Equal(EventStatus.Completed, (await t.Client.GetEventAsync(published.EventId))!.Status);
    }

    [Fact]
    public async Task Waiting_for_runs_past_the_deadline_reads_them_as_they_are()
    {
        await using var t = await EngineWithJobAsync(); // Not started and the clock stands still: nothing finishes.
        var ids = new[] { (await t.Client.RunNowAsync("report")).RunId, 9999 };

        var runs = await t.Client.WaitForRunsAsync(ids, TimeSpan.Zero);

        Assert.Equal(RunState.Queued, Assert.Single(runs).State); // The id with no run is left out.
    }

    [Fact]
    public async Task The_server_answers_with_what_a_library_user_enqueued_through_the_same_client()
    {
        await using var server = await InProcessServer.StartAsync("""
            jobs:
              report:
                handler: noop
            """);

        var result = await server.Client.RunNowAsync("report", """{"from":"library"}""");

        var detail = await server.Http.GetFromJsonAsync<JsonObject>($"/api/runs/{result.RunId}");
        Assert.Equal("library", detail!["run"]!["payload"]!["from"]!.GetValue<string>());
        var health = await server.Http.GetFromJsonAsync<JsonObject>("/healthz");
        Assert.Equal(server.Client.ThisNode.Node, health!["node"]!.GetValue<string>());
    }

    /// <summary>What would reach past the client: the engine, its store, or a clock of the node's own instead of the engine's.</summary>
    private static readonly string[] Banned = [".Store.", "KairosEngine", "IKairosStore", "DateTimeOffset.UtcNow", "TimeProvider"];

    [Fact]
    public void No_server_source_reaches_past_the_client_into_the_engine_or_its_store()
    {
        // The server's one way in is IKairosClient: a direct store call or engine parameter would
        // bypass its clock and, later, its authorization check.
        var sources = Directory.EnumerateFiles(RepositoryRoot.File("src", "Kairos.Server"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(sources);
        var offending = sources
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(RepositoryRoot.Path, f), Line: i + 1, Text: line.Trim())))
            .Where(l => Banned.Any(word => l.Text.Contains(word, StringComparison.Ordinal)))
            .Select(l => $"{l.File}:{l.Line}: {l.Text}")
            .ToList();
        Assert.True(offending.Count == 0, "the server must go through IKairosClient:\n" + string.Join("\n", offending));
    }
}
