using System.Text.Json;
using Kairos.Engine.Services;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine.Retention;

/// <summary>
/// Deletes what <see cref="RetentionOptions"/> no longer keeps, so disk use stays flat under steady
/// load. A leader service: one node prunes, so nodes never race over the
/// same rows. Invariants, kept by the store's primitives whatever this class asks:
/// <list type="bullet">
/// <item>a queued or running run is never deleted, nor its journal entries;</item>
/// <item>an event is deleted only once no run refers to it;</item>
/// <item>every statement deletes at most <see cref="RetentionOptions.BatchSize"/> rows: a pass repeats
/// one until it comes back short, so a backlog is cleared in one pass in short transactions.</item>
/// </list>
/// Runs go before events (an event goes once its last run has gone) and the journal goes last. A pass
/// that deleted something journals one <c>retention.pruned</c> entry with the counts; that entry ages
/// out under the journal's own rule.
/// </summary>
internal sealed class Pruner(IKairosStore store, KairosOptions options, TimeProvider time, ILogger logger)
    : EngineLoop("Pruner", time, logger), ILeaderService
{
    /// <summary>Nothing here is urgent: after a failed pass the next one, an interval on, tries again, rather than a quicker retry adding load to a database that is failing.</summary>
    protected override Backoff Backoff => new(options.Retention.Interval, options.Retention.Interval);

    /// <summary>Prunes now (at the start of a leadership), then every <see cref="RetentionOptions.Interval"/>.</summary>
    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken leading)
    {
        var now = Time.GetUtcNow();
        await PruneOnceAsync(now, leading).ConfigureAwait(false);
        return now + options.Retention.Interval;
    }

    /// <summary>One pass: deletes everything older than its kind's age at <paramref name="now"/>, in batches.</summary>
    public async Task<PruneCounts> PruneOnceAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var retention = options.Retention;
        Task<int> Runs(RunState state, TimeSpan age) =>
            DrainAsync(age, now, (before, limit) => store.DeleteFinishedRunsAsync(state, before, limit, cancellationToken));

        var counts = new PruneCounts(
            Succeeded: await Runs(RunState.Succeeded, retention.Succeeded).ConfigureAwait(false),
            Skipped: await Runs(RunState.Skipped, retention.Skipped).ConfigureAwait(false),
            Dead: await Runs(RunState.Dead, retention.Dead).ConfigureAwait(false),
            Cancelled: await Runs(RunState.Cancelled, retention.Cancelled).ConfigureAwait(false),
            Events: await DrainAsync(retention.Events, now, (before, limit) => store.DeleteEventsAsync(before, limit, cancellationToken)).ConfigureAwait(false),
            WebhookDeliveries: await WebhookDeliveriesAsync(now, cancellationToken).ConfigureAwait(false),
            Journal: await DrainAsync(retention.Journal, now, (before, limit) => store.DeleteJournalAsync(before, limit, cancellationToken)).ConfigureAwait(false))
        {
            // A key's state older than the longest period a rule counts over no longer changes any decision.
            FlowState = await DrainAsync(FlowRules.LongestPeriod, now, (before, limit) => store.DeleteFlowStateAsync(before, limit, cancellationToken)).ConfigureAwait(false),
        };
        if (counts.Total > 0)
        {
            await store.AppendJournalAsync("retention.pruned", null, JsonSerializer.Serialize(counts, KairosJson.Options), now, cancellationToken).ConfigureAwait(false);
            Logger.LogInformation("Retention deleted {Counts}", counts);
        }
        return counts;
    }

    /// <summary>A delivery id is remembered only for its hook's replay window; pruned here too, not only at the hook's next delivery.</summary>
    private async Task<int> WebhookDeliveriesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var hook in await store.ListWebhooksAsync(cancellationToken).ConfigureAwait(false))
        {
            deleted += await DrainAsync(hook.ReplayWindow, now,
                (before, limit) => store.DeleteWebhookDeliveriesAsync(hook.Name, before, limit, cancellationToken)).ConfigureAwait(false);
        }
        return deleted;
    }

    /// <summary>Deletes in batches until one comes back short; an infinite age keeps everything.</summary>
    private async Task<int> DrainAsync(TimeSpan age, DateTimeOffset now, Func<DateTimeOffset, int, Task<int>> deleteBatch)
    {
        if (age == Timeout.InfiniteTimeSpan)
        {
            return 0;
        }
        var batch = options.Retention.BatchSize;
        var total = 0;
        while (true)
        {
            var deleted = await deleteBatch(now - age, batch).ConfigureAwait(false);
            total += deleted;
            if (deleted < batch)
            {
                return total;
            }
        }
    }
}

/// <summary>What one retention pass deleted, per kind (the data of its <c>retention.pruned</c> journal entry).</summary>
internal sealed record PruneCounts(int Succeeded, int Skipped, int Dead, int Cancelled, int Events, int WebhookDeliveries, int Journal)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public int Total => Succeeded + Skipped + Dead + Cancelled + Events + WebhookDeliveries + Journal + FlowState;

    /// <summary>Rows of flow-control state (keys of rate limits, throttles, singletons, debounces, batches).</summary>
    public int FlowState { get; init; }
}
