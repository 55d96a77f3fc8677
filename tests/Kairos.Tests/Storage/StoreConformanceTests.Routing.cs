using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>Routing a finished run's event: a subscription that cannot be evaluated never undoes the outcome.</summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task A_subscription_whose_filter_throws_is_skipped_and_the_completion_still_commits()
    {
        // Regression: a filter that threw inside the completion write (a $glob past its timeout) rolled
        // the outcome back; the lease expired, the run executed again and ended dead. A filter stored
        // by an older or newer Kairos that this one cannot parse throws the same way.
        await SaveAsync("work");
        await SaveAsync("audit");
        await Store.SaveSubscriptionAsync(new Subscription("broken", "run.succeeded", "audit") { Filter = "{\"data.job\": {\"$unknown\": 1}}" }, T0, CancellationToken.None);
        await Store.SaveSubscriptionAsync(new Subscription("every-success", "run.succeeded", "audit"), T0, CancellationToken.None);
        var run = await EnqueueAsync("work");
        Assert.Single(await ClaimAsync(1));

        Assert.True(await Store.CompleteAsync(new RunCompletion(run.RunId, "node-a", RunOutcome.Succeeded, T0.AddSeconds(1)) { Output = "\"done\"" }, CancellationToken.None));

        Assert.Equal(RunState.Succeeded, (await Store.GetRunAsync(run.RunId, CancellationToken.None))!.State);
        var audit = Assert.Single(await Store.ListRunsAsync(new RunQuery { JobName = "audit" }, CancellationToken.None));
        Assert.Equal("every-success", audit.Subscription);
        var failure = Assert.Single(await Store.ListJournalAsync(new JournalQuery { JobName = "audit" }, CancellationToken.None), e => e.Kind == "subscription.failed");
        Assert.Contains("broken", failure.Data);
        Assert.Contains("$unknown", failure.Data);
        var published = await Store.GetEventAsync(audit.EventId!.Value, CancellationToken.None);
        Assert.Equal("run.succeeded", published!.Type);

        // The event stays in progress while the good subscription's run is queued, then is failed, not completed.
        Assert.Equal(EventStatus.Pending, published.Status);
        Assert.Single(await ClaimAsync(1, T0.AddSeconds(1)));
        Assert.True(await Store.CompleteAsync(new RunCompletion(audit.Id, "node-a", RunOutcome.Succeeded, T0.AddSeconds(2)), CancellationToken.None));
        Assert.Equal(EventStatus.Failed, (await Store.GetEventAsync(audit.EventId.Value, CancellationToken.None))!.Status);
    }

    [StoreFact]
    public async Task A_published_event_whose_only_subscription_throws_is_stored_as_failed()
    {
        await SaveAsync("audit");
        await Store.SaveSubscriptionAsync(new Subscription("broken", "order.*", "audit") { Filter = "{\"data.x\": {\"$unknown\": 1}}" }, T0, CancellationToken.None);

        var result = await Store.PublishAsync(new EventRequest("order.created", "shop") { Data = "{}" }, T0, CancellationToken.None);

        Assert.Empty(result.Runs);
        Assert.Equal(EventStatus.Failed, (await Store.GetEventAsync(result.EventId, CancellationToken.None))!.Status);
    }
}
