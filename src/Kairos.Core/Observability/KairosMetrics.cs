using System.Diagnostics.Metrics;

namespace Kairos.Observability;

/// <summary>
/// Every instrument Kairos measures with, under the meter <see cref="MeterName"/>; docs/observability.md
/// lists them. One per engine (registered by <c>AddKairos</c>), so engines in one process (tests) keep
/// their numbers apart; the flow-control counter is the exception (<see cref="FlowWaits"/>).
/// <para>
/// Recording is on the path of every run: tags are passed as <see cref="KeyValuePair{TKey, TValue}"/>
/// structs of strings the run already holds, nothing is built per run, and an instrument nobody
/// listens to returns at its first check.
/// </para>
/// </summary>
internal sealed class KairosMetrics : IDisposable
{
    public const string MeterName = "Kairos";

    /// <summary>Bucket bounds for the time histograms, in seconds: from a quick handler to an hour-long job.</summary>
    private static readonly IReadOnlyList<double> SecondsBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    /// <summary>
    /// The meter of the flow-control counter. Flow rules decide inside a store transaction, in static
    /// rule code that no engine instance reaches, so their counter is the process's, not an engine's.
    /// </summary>
    private static readonly Meter Shared = new(MeterName);

    /// <summary>Runs held back by a flow rule, by <c>job</c> and <c>rule</c>; counted when the rule decides.</summary>
    private static readonly Counter<long> FlowWaitCounter = Shared.CreateCounter<long>("kairos.flow.waits", "{run}",
        "Runs held back by a flow-control rule when they were enqueued (debounced, batched, throttled, rate-limited or skipped as a singleton), by job and rule");

    private readonly Counter<long> _runsFinished;
    private readonly Histogram<double> _runDuration;
    private readonly Histogram<double> _claimLatency;
    private readonly Histogram<double> _triggerLateness;
    private readonly Counter<long> _webhookDeliveries;

    public KairosMetrics()
    {
        Meter = new Meter(MeterName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        _runsFinished = Meter.CreateCounter<long>("kairos.runs.finished", "{run}",
            "Attempts that ended on this node, by job and the outcome they left the run in: succeeded, retry (failed, queued again), dead, cancelled, waiting (a workflow waiting for its steps)");
        _runDuration = Meter.CreateHistogram("kairos.run.duration", "s",
            "How long attempts ran, from start to stored outcome, by job and outcome", advice: seconds);
        _claimLatency = Meter.CreateHistogram("kairos.run.claim.latency", "s",
            "How long due runs waited before this node started them (due time to start), by queue", advice: seconds);
        _triggerLateness = Meter.CreateHistogram("kairos.trigger.lateness", "s",
            "How late time triggers were enqueued after their scheduled time, by source (cron, interval, once)", advice: seconds);
        _webhookDeliveries = Meter.CreateCounter<long>("kairos.webhook.deliveries", "{request}",
            "Webhook deliveries by hook and result: accepted, or why they were refused");
    }

    /// <summary>The engine's meter; <see cref="IsKairos"/> also accepts the shared one.</summary>
    public Meter Meter { get; }

    /// <summary>Whether <paramref name="instrument"/> belongs to this engine's numbers (its own meter, or the process's flow counter).</summary>
    public bool IsKairos(Instrument instrument) => instrument.Meter == Meter || instrument.Meter == Shared;

    /// <summary>Where <c>kairos.queue.depth</c> reads from (null until the engine is built); a scrape refreshes it first.</summary>
    public QueueDepths? Queues { get; private set; }

    /// <summary>Reports queue depth (<c>kairos.queue.depth</c>, by queue) from <paramref name="depths"/>, read when a collector asks.</summary>
    public void ObserveQueues(QueueDepths depths)
    {
        Queues = depths;
        Meter.CreateObservableGauge("kairos.queue.depth", depths.Observe, "{run}",
            "Queued runs (due or not) by queue, over the whole database; read at most every few seconds");
    }

    public void RunFinished(string job, string outcome, TimeSpan? duration)
    {
        var jobTag = new KeyValuePair<string, object?>("job", job);
        var outcomeTag = new KeyValuePair<string, object?>("outcome", outcome);
        _runsFinished.Add(1, jobTag, outcomeTag);
        if (duration is { } ran && _runDuration.Enabled)
        {
            _runDuration.Record(Math.Max(0, ran.TotalSeconds), jobTag, outcomeTag);
        }
    }

    public void RunClaimed(string queue, TimeSpan latency)
    {
        if (_claimLatency.Enabled)
        {
            _claimLatency.Record(Math.Max(0, latency.TotalSeconds), new KeyValuePair<string, object?>("queue", queue));
        }
    }

    public void TriggerFired(string source, TimeSpan lateness)
    {
        if (_triggerLateness.Enabled)
        {
            _triggerLateness.Record(Math.Max(0, lateness.TotalSeconds), new KeyValuePair<string, object?>("source", source));
        }
    }

    /// <summary>One webhook delivery: <c>accepted</c>, or the refusal's reason (<see cref="Webhooks.WebhookRefusals.ReasonName"/>).</summary>
    public void WebhookDelivery(string hook, string result) =>
        _webhookDeliveries.Add(1, new KeyValuePair<string, object?>("hook", hook), new KeyValuePair<string, object?>("result", result));

    /// <summary>
    /// A flow rule held a run back. Counted when the rule decides, inside the enqueue's transaction:
    /// a transaction that then fails (a database error) has been counted too.
    /// </summary>
    public static void FlowWaits(string job, string rule) =>
        FlowWaitCounter.Add(1, new KeyValuePair<string, object?>("job", job), new KeyValuePair<string, object?>("rule", rule));

    public void Dispose() => Meter.Dispose();
}
