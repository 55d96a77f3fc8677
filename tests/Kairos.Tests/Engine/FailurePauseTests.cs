using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine;

/// <summary>pauseAfterFailures: a job that keeps dying pauses itself, says why, and tells subscribers.</summary>
public sealed class FailurePauseTests
{
    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task Three_dead_runs_in_a_row_pause_the_job_a_success_between_resets_the_count(TestStore store)
    {
        await using var t = await TestEngine.CreateAsync(store: store, handlers: s => s.AddHandler("flaky", ctx =>
            ctx.Payload.TryGetProperty("fail", out _)
                ? throw new InvalidOperationException("upstream down")
                : Task.FromResult<JsonNode?>(new JsonObject())));
        await t.Engine.SaveJobAsync(TestEngine.Job("sync", "flaky", j => j with { PauseAfterFailures = 3, Retry = RetryPolicy.Default with { MaxAttempts = 1 } }));
        await t.Engine.SaveJobAsync(TestEngine.Job("alert"));
        await t.Engine.SaveSubscriptionAsync(new Subscription("on-pause", "job.paused", "alert"));
        await t.StartAsync();

        async Task RunAsync(bool fail) =>
            await t.WaitForStateAsync((await t.Engine.RunNowAsync("sync", fail ? """{"fail":true}""" : "{}")).RunId, fail ? RunState.Dead : RunState.Succeeded);

        await RunAsync(fail: true);
        await RunAsync(fail: true);
        await RunAsync(fail: false);
        await RunAsync(fail: true);
        await RunAsync(fail: true);
        Assert.False((await t.Store.GetJobAsync("sync", CancellationToken.None))!.Definition.Paused);

        await RunAsync(fail: true);

        Assert.True((await t.Store.GetJobAsync("sync", CancellationToken.None))!.Definition.Paused);
        var paused = Assert.Single(await t.Store.ListJournalAsync(new JournalQuery { JobName = "sync" }, CancellationToken.None), e => e.Kind == "job.paused");
        Assert.Contains("3 runs in a row ended dead", paused.Data);
        var published = Assert.Single(await t.Store.ListEventsAsync(new EventQuery { TypePattern = "job.paused" }, CancellationToken.None));
        Assert.Contains("\"sync\"", published.Data);
        Assert.Single(await t.Store.ListRunsAsync(new RunQuery { JobName = "alert" }, CancellationToken.None));
        await Assert.ThrowsAsync<KairosConflictException>(() => t.Engine.RunNowAsync("sync"));
    }
}
