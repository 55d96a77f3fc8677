using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>
/// flow.cancelOn (Core's <c>Engine/Flow/CancelOnEvents</c>) over each driver's primitives: a published
/// event cancels the runs whose payload it matches, in its own transaction. Times are passed in, so no clock runs.
/// </summary>
public abstract partial class StoreConformanceTests
{
    private static FlowControl CancelOnOrder(TimeSpan? timeout = null) => new()
    {
        CancelOn = [new CancelOnRule("order.cancelled", new Dictionary<string, string> { ["data.orderId"] = "{{payload.orderId}}" }, timeout)],
    };

    private Task<EnqueueResult> EnqueueOrderAsync(string job, object orderId, DateTimeOffset? at = null) =>
        EnqueueAsync(job, at, r => r with { Payload = System.Text.Json.JsonSerializer.Serialize(new { orderId }) });

    private Task<PublishResult> PublishOrderAsync(string type, object orderId, DateTimeOffset? at = null) =>
        Store.PublishAsync(new EventRequest(type, "shop") { Data = System.Text.Json.JsonSerializer.Serialize(new { orderId }) }, at ?? T0, CancellationToken.None);

    [StoreFact]
    public async Task A_matching_event_cancels_the_queued_and_running_runs_of_its_order_and_leaves_the_others()
    {
        await SaveFlowAsync("ship", CancelOnOrder());
        await SaveAsync("plain");
        var running = await EnqueueOrderAsync("ship", 7);
        await ClaimAsync(1);
        var queued = await EnqueueOrderAsync("ship", "7"); // Compared as text: 7 and "7" are the same order.
        var other = await EnqueueOrderAsync("ship", 8);
        var untouched = await EnqueueOrderAsync("plain", 7);

        var published = await PublishOrderAsync("order.cancelled", 7);

        var reason = $"cancelOn: event {published.EventId} (order.cancelled)";
        var cancelled = (await Store.GetRunAsync(queued.RunId, CancellationToken.None))!;
        Assert.Equal((RunState.Cancelled, reason), (cancelled.State, cancelled.Error));
        var entry = Assert.Single(await Store.ListJournalAsync(new JournalQuery { RunId = queued.RunId }, CancellationToken.None), e => e.Kind == "run.cancelled");
        Assert.Contains(reason, entry.Data);
        var stopping = (await Store.GetRunAsync(running.RunId, CancellationToken.None))!;
        Assert.Equal((RunState.Running, true), (stopping.State, stopping.CancelRequested));
        Assert.Contains(reason, Assert.Single(await Store.ListJournalAsync(new JournalQuery { RunId = running.RunId }, CancellationToken.None), e => e.Kind == "run.cancel-requested").Data);
        Assert.Equal(RunState.Queued, (await Store.GetRunAsync(other.RunId, CancellationToken.None))!.State);
        Assert.Equal(RunState.Queued, (await Store.GetRunAsync(untouched.RunId, CancellationToken.None))!.State);
    }

    [StoreFact]
    public async Task An_event_of_another_type_or_order_or_without_the_path_cancels_nothing()
    {
        await SaveFlowAsync("ship", CancelOnOrder());
        var run = await EnqueueOrderAsync("ship", 7);

        await PublishOrderAsync("order.shipped", 7);
        await PublishOrderAsync("order.cancelled", 9);
        await Store.PublishAsync(new EventRequest("order.cancelled", "shop") { Data = """{"order":7}""" }, T0, CancellationToken.None);
        await Store.PublishAsync(new EventRequest("order.cancelled", "shop"), T0, CancellationToken.None);

        Assert.Equal(RunState.Queued, (await Store.GetRunAsync(run.RunId, CancellationToken.None))!.State);
        Assert.DoesNotContain("run.cancelled", await JournalKindsAsync(run.RunId));
    }

    [StoreFact]
    public async Task An_event_of_another_namespace_never_cancels_a_job_s_runs()
    {
        await SaveFlowAsync("billing/ship", CancelOnOrder());
        var run = await EnqueueOrderAsync("billing/ship", 7);

        await PublishOrderAsync("shop/order.cancelled", 7);
        await PublishOrderAsync("order.cancelled", 7); // The default namespace is another one too.
        Assert.Equal(RunState.Queued, (await Store.GetRunAsync(run.RunId, CancellationToken.None))!.State);

        await PublishOrderAsync("billing/order.cancelled", 7);
        Assert.Equal(RunState.Cancelled, (await Store.GetRunAsync(run.RunId, CancellationToken.None))!.State);
    }

    [StoreFact]
    public async Task A_timeout_limits_the_rule_to_runs_created_less_than_that_long_before_the_event()
    {
        await SaveFlowAsync("ship", CancelOnOrder(TimeSpan.FromMinutes(10)));
        var old = await EnqueueOrderAsync("ship", 7, T0);
        var recent = await EnqueueOrderAsync("ship", 7, T0.AddMinutes(5));

        await PublishOrderAsync("order.cancelled", 7, T0.AddMinutes(10));

        Assert.Equal(RunState.Queued, (await Store.GetRunAsync(old.RunId, CancellationToken.None))!.State); // Exactly 10m old: out of the window.
        Assert.Equal(RunState.Cancelled, (await Store.GetRunAsync(recent.RunId, CancellationToken.None))!.State);
    }

    [StoreFact]
    public async Task Cancel_rules_are_listed_only_for_the_jobs_that_have_some_and_active_runs_with_their_payloads()
    {
        await SaveFlowAsync("ship", CancelOnOrder());
        await SaveFlowAsync("keyed", new FlowControl { Concurrency = [new ConcurrencyKey(1)] });
        await SaveAsync("plain");
        var first = await EnqueueOrderAsync("ship", 1, T0);
        var second = await EnqueueOrderAsync("ship", 2, T0.AddSeconds(1));
        await ClaimAsync(1);
        var done = await EnqueueOrderAsync("ship", 3);
        await Store.CancelRunAsync(done.RunId, T0, CancellationToken.None);

        var (rules, active) = await Store.WriteAsync(async tx => (await tx.ListCancelRulesAsync(), await tx.ListActiveRunsAsync("ship")), CancellationToken.None);

        Assert.Equal("ship", Assert.Single(rules).JobName);
        Assert.Contains("order.cancelled", rules[0].Rules);
        Assert.Equal(
            [(first.RunId, T0, """{"orderId":1}"""), (second.RunId, T0.AddSeconds(1), """{"orderId":2}""")],
            active.Select(r => (r.Id, r.CreatedAt, r.Payload)));

        await SaveAsync("ship"); // Saved again without the rule.
        Assert.Empty(await Store.WriteAsync(tx => tx.ListCancelRulesAsync(), CancellationToken.None));
    }
}
