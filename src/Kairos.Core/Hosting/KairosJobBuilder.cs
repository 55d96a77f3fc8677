using Kairos.Events;
using Kairos.Model;

namespace Kairos.Hosting;

/// <summary>
/// A job declared in code, one call per trigger or policy:
/// <c>j => j.Cron("0 9 * * MON-FRI", "Europe/Paris").Retry(5).Timeout(TimeSpan.FromMinutes(10))</c>.
/// Anything it does not cover (file and poll triggers, misfire policies, payloads) goes through
/// <see cref="Trigger"/> or a full <see cref="JobDefinition"/>.
/// </summary>
public sealed class KairosJobBuilder
{
    private readonly List<TriggerSpec> _triggers = [];
    private readonly List<Subscription> _subscriptions = [];
    private JobDefinition _job;

    internal KairosJobBuilder(string name, ExecutorSpec executor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(executor);
        _job = new JobDefinition { Name = name, Executor = executor };
    }

    internal IReadOnlyList<Subscription> Subscriptions => _subscriptions;

    /// <summary>Fires on a cron expression (5 fields, or 6 with seconds) in an IANA time zone.</summary>
    public KairosJobBuilder Cron(string expression, string timeZone = "UTC") => Trigger(new CronTriggerSpec(expression, timeZone));

    /// <summary>Fires every <paramref name="every"/>: at a fixed rate, or a fixed delay after each run ends.</summary>
    public KairosJobBuilder Every(TimeSpan every, IntervalMode mode = IntervalMode.FixedRate) => Trigger(new IntervalTriggerSpec(every, mode));

    /// <summary>Fires once, at <paramref name="at"/>.</summary>
    public KairosJobBuilder Once(DateTimeOffset at) => Trigger(new OnceTriggerSpec(at));

    /// <summary>Fires once, when the job is first saved.</summary>
    public KairosJobBuilder Now() => Trigger(new NowTriggerSpec());

    /// <summary>Fires on each accepted delivery to the webhook <paramref name="hook"/> (declared with <c>AddWebhook</c> or in YAML).</summary>
    public KairosJobBuilder Webhook(string hook) => Trigger(new WebhookTriggerSpec(hook));

    /// <summary>Fires when a run of <paramref name="job"/> ends with <paramref name="on"/>, with that run's output as payload.</summary>
    public KairosJobBuilder After(string job, CompletionOutcome on = CompletionOutcome.Succeeded) => Trigger(new CompletionTriggerSpec(job, on));

    /// <summary>
    /// Fires for each published event whose type matches <paramref name="pattern"/> (a glob such as
    /// <c>order.*</c>) and whose envelope passes <paramref name="filter"/> (e.g. <c>{"data.amount": {"$gt": 100}}</c>):
    /// a subscription named <c>{job}.on.{pattern}</c>, with characters a name cannot hold (<c>*</c>) as <c>_</c>.
    /// </summary>
    public KairosJobBuilder OnEvent(string pattern, string filter = "{}")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var name = new string($"{_job.Name}.on.{pattern}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray());
        if (_subscriptions.Any(s => s.Name == name))
        {
            // "order.*" and "order.?" name alike: the second would silently replace the first.
            throw new ArgumentException($"job '{_job.Name}' already has an event trigger named '{name}'; patterns differing only in * ? _ cannot both be used", nameof(pattern));
        }
        _subscriptions.Add(new Subscription(name, pattern, _job.Name) { Filter = filter });
        return this;
    }

    /// <summary>Adds any trigger spec.</summary>
    public KairosJobBuilder Trigger(TriggerSpec trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        _triggers.Add(trigger);
        return this;
    }

    /// <summary>Tries a failed run up to <paramref name="maxAttempts"/> times in all, with the default backoff.</summary>
    public KairosJobBuilder Retry(int maxAttempts) => Retry(RetryPolicy.Default with { MaxAttempts = maxAttempts });

    /// <summary>Retries failed runs by <paramref name="policy"/>.</summary>
    public KairosJobBuilder Retry(RetryPolicy policy) => With(_job with { Retry = policy });

    /// <summary>Cancels an attempt, and counts it failed, after <paramref name="timeout"/>.</summary>
    public KairosJobBuilder Timeout(TimeSpan timeout) => With(_job with { Timeout = timeout });

    /// <summary>1 (lowest) to 10 (highest); runs are claimed highest priority first.</summary>
    public KairosJobBuilder Priority(int priority) => With(_job with { Priority = priority });

    /// <summary>The queue the job's runs wait in (queues can have limits of their own).</summary>
    public KairosJobBuilder Queue(string queue) => With(_job with { Queue = queue });

    /// <summary>At most <paramref name="maxInstances"/> runs of the job at once; a run over it waits, or with <see cref="OverlapPolicy.Skip"/> is skipped.</summary>
    public KairosJobBuilder MaxInstances(int maxInstances, OverlapPolicy onOverlap = OverlapPolicy.Queue) =>
        With(_job with { Concurrency = new ConcurrencyPolicy(maxInstances, onOverlap) });

    /// <summary>Flow control by keys over the payload: concurrency keys, rate limit, singleton, throttle (see docs/configuration.md).</summary>
    public KairosJobBuilder Flow(FlowControl flow) => With(_job with { Flow = flow });

    internal JobDefinition Build() => _job with { Triggers = [.. _triggers] };

    private KairosJobBuilder With(JobDefinition job)
    {
        _job = job;
        return this;
    }
}
