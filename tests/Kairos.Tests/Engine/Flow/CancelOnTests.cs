using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine.Flow;

/// <summary>
/// flow.cancelOn through a running engine on a manual clock: a published event stops the running run
/// it matches at once and cancels the queued one, and the rule's timeout counts on the engine's clock.
/// </summary>
public sealed class CancelOnTests
{
    private static async Task<TestEngine> StartAsync(TestStore store, TimeSpan? timeout = null)
    {
        var t = await TestEngine.CreateAsync(store: store, configure: o => o.LeaseDuration = TimeSpan.FromDays(1), handlers: s => s.AddHandler("block", async ctx =>
        {
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            return (JsonNode?)null;
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("ship", "block", j => j with
        {
            Concurrency = new ConcurrencyPolicy(1, OverlapPolicy.Queue),
            Flow = new FlowControl
            {
                CancelOn = [new CancelOnRule("order.cancelled", new Dictionary<string, string> { ["data.orderId"] = "{{payload.orderId}}" }, timeout)],
            },
        }));
        await t.StartAsync();
        return t;
    }

    private static Task<PublishResult> CancelOrderAsync(TestEngine t, int orderId) =>
        t.Client.PublishAsync(new EventRequest("order.cancelled", "shop") { Data = $$"""{"orderId":{{orderId}}}""" });

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task A_matching_event_stops_the_running_run_at_once_and_cancels_the_queued_one(TestStore store)
    {
        await using var t = await StartAsync(store);
        var running = (await t.Engine.RunNowAsync("ship", """{"orderId":7}""")).RunId;
        await t.WaitForStateAsync(running, RunState.Running);
        var queued = (await t.Engine.RunNowAsync("ship", """{"orderId":7}""")).RunId;
        var other = (await t.Engine.RunNowAsync("ship", """{"orderId":8}""")).RunId;

        var published = await CancelOrderAsync(t, 7);

        var stopped = await t.WaitForStateAsync(running, RunState.Cancelled);
        Assert.Equal("cancelled on request", stopped.Error);
        Assert.Contains($"cancelOn: event {published.EventId} (order.cancelled)",
            Assert.Single(await t.Store.ListJournalAsync(new JournalQuery { RunId = running }, CancellationToken.None), e => e.Kind == "run.cancel-requested").Data);
        Assert.Equal(RunState.Cancelled, (await t.RunAsync(queued)).State);
        await t.WaitForStateAsync(other, RunState.Running); // Its turn, now that the first stopped.
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task The_timeout_counts_from_each_run_s_creation_on_the_engine_clock(TestStore store)
    {
        await using var t = await StartAsync(store, TimeSpan.FromMinutes(10));
        var old = (await t.Engine.RunNowAsync("ship", """{"orderId":7}""")).RunId;
        await t.WaitForStateAsync(old, RunState.Running);
        t.Clock.Advance(TimeSpan.FromMinutes(6));
        var recent = (await t.Engine.RunNowAsync("ship", """{"orderId":7}""")).RunId;
        t.Clock.Advance(TimeSpan.FromMinutes(4));

        await CancelOrderAsync(t, 7); // The first run is 10m old: out of the window; the second 4m.

        Assert.Equal(RunState.Cancelled, (await t.RunAsync(recent)).State);
        Assert.Equal(RunState.Running, (await t.RunAsync(old)).State);
        Assert.DoesNotContain("run.cancel-requested", await t.JournalKindsAsync(old));
    }
}
