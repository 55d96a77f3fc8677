using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Events;

/// <summary>Event-driven work accepted before a restart is done after it: the runs were stored with the event.</summary>
public sealed class RestartTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private Task<TestEngine> EngineAsync(Action<Kairos.Hosting.KairosOptions>? configure = null) =>
        TestEngine.CreateAsync(configure: configure, databasePath: _directory.File("kairos.db"));

    [Fact]
    public async Task A_chain_interrupted_between_two_jobs_continues_after_a_restart()
    {
        long first;
        await using (var before = await EngineAsync())
        {
            await before.Engine.SaveJobAsync(TestEngine.Job("a"));
            await before.Engine.SaveJobAsync(TestEngine.Job("b", change: j => j with { Triggers = [new CompletionTriggerSpec("a")] }));
            await before.Engine.SaveJobAsync(TestEngine.Job("c", change: j => j with { Triggers = [new CompletionTriggerSpec("b")] }));
            await before.StartAsync();
            first = (await before.Engine.RunNowAsync("a")).RunId;
            await before.WaitForStateAsync(first, RunState.Succeeded);
            await before.Engine.StopAsync(CancellationToken.None); // Stop before b is certain to have run.
        }

        await using var after = await EngineAsync();
        await after.StartAsync();
        await Eventually.TrueAsync(async () => (await after.Store.ListRunsAsync(new RunQuery { JobName = "c", State = RunState.Succeeded }, CancellationToken.None)).Count == 1,
            "c to run after the restart");
        var b = (await after.Store.ListRunsAsync(new RunQuery { JobName = "b" }, CancellationToken.None)).Single();
        Assert.Equal(first, b.ParentRunId);
    }

    [Fact]
    public async Task Events_published_before_a_restart_are_delivered_after_it_exactly_once()
    {
        PublishResult published;
        await using (var before = await EngineAsync())
        {
            await before.Engine.SaveJobAsync(TestEngine.Job("ship"));
            await before.Engine.SaveSubscriptionAsync(new Subscription("s", "order.*", "ship"));
            published = await before.Engine.PublishAsync(new EventRequest("order.created", "shop") { IdempotencyKey = "order-1" });
        }

        await using var after = await EngineAsync();
        var again = await after.Engine.PublishAsync(new EventRequest("order.created", "shop") { IdempotencyKey = "order-1" });
        await after.StartAsync();
        await after.WaitForStateAsync(published.Runs.Single().RunId, RunState.Succeeded);

        Assert.False(again.Created);
        Assert.Equal(EventStatus.Completed, (await after.Store.GetEventAsync(published.EventId, CancellationToken.None))!.Status);
        Assert.Single(await after.Store.ListRunsAsync(new RunQuery { JobName = "ship" }, CancellationToken.None));
    }

    public void Dispose() => _directory.Dispose();
}
