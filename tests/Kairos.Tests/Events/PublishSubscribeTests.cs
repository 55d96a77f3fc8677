using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Events;

/// <summary>Publish/subscribe through the engine and a real SQLite store: matching, status, cancel, retry, replay.</summary>
public sealed class PublishSubscribeTests
{
    private static async Task<TestEngine> EngineWithJobsAsync(params string[] jobs)
    {
        var t = await TestEngine.CreateAsync(s => s.AddHandler("boom", _ => throw new InvalidOperationException("boom")));
        foreach (var job in jobs)
        {
            await t.Engine.SaveJobAsync(TestEngine.Job(job, job.StartsWith("failing", StringComparison.Ordinal) ? "boom" : "ok",
                j => j with { Retry = j.Retry with { MaxAttempts = 1 } }));
        }
        return t;
    }

    [Fact]
    public async Task One_run_is_enqueued_per_matching_subscription_in_the_event_transaction()
    {
        await using var t = await EngineWithJobsAsync("ship", "audit", "vip", "never");
        await t.Engine.SaveSubscriptionAsync(new Subscription("ship-orders", "order.created", "ship"));
        await t.Engine.SaveSubscriptionAsync(new Subscription("audit-all-orders", "order.*", "audit"));
        await t.Engine.SaveSubscriptionAsync(new Subscription("vip-big-orders", "order.*", "vip") { Filter = """{"data.amount": {"$gte": 1000}, "data.tier": {"$in": ["gold"]}}""" });
        await t.Engine.SaveSubscriptionAsync(new Subscription("inactive", "**", "never") { Active = false });

        var small = await t.Engine.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"amount": 20, "tier": "gold"}""" });
        var big = await t.Engine.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"amount": 5000, "tier": "gold"}""" });
        var refund = await t.Engine.PublishAsync(new EventRequest("order.refunded", "shop") { Data = """{"amount": 5000, "tier": "silver"}""" });
        var other = await t.Engine.PublishAsync(new EventRequest("user.created", "shop"));

        async Task<string[]> JobsOf(PublishResult r) =>
            (await t.Store.ListRunsAsync(new RunQuery { EventId = r.EventId }, CancellationToken.None)).Select(x => x.JobName).Order().ToArray();
        Assert.Equal(["audit", "ship"], await JobsOf(small));
        Assert.Equal(["audit", "ship", "vip"], await JobsOf(big));
        Assert.Equal(["audit"], await JobsOf(refund));
        Assert.Empty(await JobsOf(other));
        var run = (await t.Store.ListRunsAsync(new RunQuery { EventId = big.EventId, JobName = "vip" }, CancellationToken.None)).Single();
        var payload = JsonNode.Parse(run.Payload!)!;
        Assert.Equal(("event", "vip-big-orders", 5000), (run.Source, run.Subscription, payload["event"]!["data"]!["amount"]!.GetValue<int>()));
    }

    [Fact]
    public async Task An_idempotency_key_returns_the_first_event_and_its_runs()
    {
        await using var t = await EngineWithJobsAsync("ship");
        await t.Engine.SaveSubscriptionAsync(new Subscription("s", "order.*", "ship"));
        var first = await t.Engine.PublishAsync(new EventRequest("order.created", "shop") { IdempotencyKey = "o-1" });
        var again = await t.Engine.PublishAsync(new EventRequest("order.created", "shop") { IdempotencyKey = "o-1" });

        Assert.Equal((first.EventId, false), (again.EventId, again.Created));
        Assert.Equal(first.Runs.Select(r => r.RunId), again.Runs.Select(r => r.RunId));
        Assert.Single(await t.Store.ListEventsAsync(new EventQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task Event_status_follows_its_runs_and_failed_deliveries_can_be_retried()
    {
        await using var t = await EngineWithJobsAsync("ok-job", "failing-job");
        await t.Engine.SaveSubscriptionAsync(new Subscription("good", "thing.happened", "ok-job"));
        await t.Engine.SaveSubscriptionAsync(new Subscription("bad", "thing.happened", "failing-job"));
        var published = await t.Engine.PublishAsync(new EventRequest("thing.happened", "test"));
        Assert.Equal(EventStatus.Pending, (await t.Store.GetEventAsync(published.EventId, CancellationToken.None))!.Status);

        await t.StartAsync();
        await Eventually.TrueAsync(async () => (await t.Store.GetEventAsync(published.EventId, CancellationToken.None))!.Status == EventStatus.Failed, "the event to fail");

        var retried = await t.Engine.RetryEventAsync(published.EventId);
        Assert.Equal("failing-job", Assert.Single(retried).JobName);
        Assert.Contains((await t.Store.GetEventAsync(published.EventId, CancellationToken.None))!.Status, new[] { EventStatus.Processing, EventStatus.Failed });
        var none = await t.Engine.PublishAsync(new EventRequest("nobody.listens", "test"));
        Assert.Equal(EventStatus.Completed, (await t.Store.GetEventAsync(none.EventId, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_pending_event_can_be_cancelled_and_its_queued_runs_never_start()
    {
        await using var t = await EngineWithJobsAsync("ship");
        await t.Engine.SaveSubscriptionAsync(new Subscription("s", "order.*", "ship"));
        var published = await t.Engine.PublishAsync(new EventRequest("order.created", "shop"));

        Assert.Equal(1, await t.Store.CancelEventAsync(published.EventId, t.Clock.GetUtcNow(), CancellationToken.None));
        Assert.Equal(EventStatus.Cancelled, (await t.Store.GetEventAsync(published.EventId, CancellationToken.None))!.Status);
        Assert.Equal(RunState.Cancelled, (await t.RunAsync(published.Runs[0].RunId)).State);
        await Assert.ThrowsAsync<KairosConflictException>(() => t.Store.CancelEventAsync(published.EventId, t.Clock.GetUtcNow(), CancellationToken.None));
    }

    [Fact]
    public async Task Stored_events_of_a_range_and_type_can_be_replayed_to_one_subscription()
    {
        await using var t = await EngineWithJobsAsync("ship", "late-comer");
        var start = t.Clock.GetUtcNow();
        await t.Engine.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"n":1}""" });
        t.Clock.Advance(TimeSpan.FromHours(1));
        await t.Engine.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"n":2}""" });
        await t.Engine.PublishAsync(new EventRequest("order.refunded", "shop") { Data = """{"n":3}""" });
        t.Clock.Advance(TimeSpan.FromHours(1));
        await t.Engine.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"n":4}""" });
        await t.Engine.SaveSubscriptionAsync(new Subscription("late", "order.*", "late-comer"));

        var runs = await t.Engine.ReplayEventsAsync(new ReplayRequest("late", start.AddMinutes(30), start.AddMinutes(90)) { TypePattern = "order.created" });

        var replayed = Assert.Single(runs);
        var payload = JsonNode.Parse((await t.RunAsync(replayed.RunId)).Payload!)!;
        Assert.Equal(2, payload["event"]!["data"]!["n"]!.GetValue<int>());
    }

    [Fact]
    public async Task Bad_events_and_subscriptions_are_refused_with_what_is_wrong()
    {
        await using var t = await EngineWithJobsAsync("ship");
        Assert.Contains("not a valid event type", (await Assert.ThrowsAsync<KairosValidationException>(() => t.Engine.PublishAsync(new EventRequest("bad type", "x")))).Message);
        Assert.Contains("not valid JSON", (await Assert.ThrowsAsync<KairosValidationException>(() => t.Engine.PublishAsync(new EventRequest("a.b", "x") { Data = "{oops" }))).Message);
        Assert.Contains("priority 0", (await Assert.ThrowsAsync<KairosValidationException>(() => t.Engine.PublishAsync(new EventRequest("a.b", "x") { Priority = 0 }))).Message);
        Assert.Contains("does not exist", (await Assert.ThrowsAsync<KairosValidationException>(() => t.Engine.SaveSubscriptionAsync(new Subscription("s", "a.*", "ghost")))).Message);
        Assert.Contains("$near", (await Assert.ThrowsAsync<KairosValidationException>(() => t.Engine.SaveSubscriptionAsync(new Subscription("s", "a.*", "ship") { Filter = """{"x":{"$near":1}}""" }))).Message);
        Assert.Empty(await t.Store.ListEventsAsync(new EventQuery(), CancellationToken.None));
        Assert.Empty(await t.Store.ListSubscriptionsAsync(CancellationToken.None));
    }
}
