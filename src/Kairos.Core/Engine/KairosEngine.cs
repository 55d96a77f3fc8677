using Kairos.Engine.Definitions;
using Kairos.Executors;
using Kairos.Executors.Handler;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine;

/// <summary>
/// The engine: owns the store, the dispatcher, the trigger scheduler, the lease rescuer and the pruner, and is
/// the library's entry point for everything that changes state (save jobs, enqueue, cancel, retry).
/// Everything that fires a run calls <see cref="EnqueueAsync"/>.
/// <para>
/// In a cluster every node claims and runs work, watches files and rescues expired leases; only the
/// leader (<see cref="Cluster.ClusterMember"/>) fires time and poll triggers and prunes old work. Times come from
/// <see cref="Cluster.DatabaseClock"/>: the node's clock corrected to the database's.
/// </para>
/// </summary>
internal sealed class KairosEngine : IAsyncDisposable
{
    private readonly KairosOptions _options;
    private readonly Cluster.DatabaseClock _time;
    private readonly HandlerRegistry _handlers;
    private readonly ILogger _logger;
    private readonly JobCatalog _jobs;
    private readonly RunDispatcher _dispatcher;
    private readonly TriggerScheduler _scheduler;
    private readonly LeaseRescuer _rescuer;
    private readonly Retention.Pruner _pruner;
    private readonly Lifecycle.RunDeadlines _deadlines;
    private readonly Cluster.ClusterMember _member;


    /// <summary>Watchers of event triggers that need one (file, poll). Registered pollers come from the services given to the constructor.</summary>
    private readonly List<ITriggerHost> _hosts = [];

    /// <summary>The loops every node runs from start to stop; the leader services run inside <see cref="_member"/> while this node leads.</summary>
    private readonly List<Services.EngineLoop> _nodeServices = [];
    private CancellationTokenSource? _stopping;
    private Task _loops = Task.CompletedTask;

    /// <summary>Named secrets: declared by the configuration or stored encrypted.</summary>
    public Kairos.Secrets.SecretResolver Secrets { get; }

    public KairosEngine(
        IKairosStore store,
        KairosOptions options,
        IEnumerable<IJobExecutor> executors,
        HandlerRegistry handlers,
        TimeProvider time,
        ILoggerFactory loggers,
        IServiceProvider services,
        Observability.KairosMetrics metrics)
    {
        Store = store;
        _options = options;
        _time = new Cluster.DatabaseClock(time);
        time = _time;
        _handlers = handlers;
        _logger = loggers.CreateLogger("Kairos.Engine");
        _jobs = new JobCatalog(store);
        Secrets = new Kairos.Secrets.SecretResolver(store, options);
        var byKind = executors.ToDictionary(e => e.Kind, StringComparer.Ordinal);
        Metrics = metrics;
        Metrics.ObserveQueues(new Observability.QueueDepths(store, time, loggers.CreateLogger("Kairos.Metrics")));
        var telemetry = new Observability.RunTelemetry(metrics, _traceLinks);
        _scheduler = new TriggerScheduler(store, _jobs, options, time, metrics, () => _dispatcher!.Wake(), () => _ = StopCancelledRunsAsync(), loggers.CreateLogger("Kairos.Scheduler"));
        _dispatcher = new RunDispatcher(store, options, time,
            run => new RunAttempt(run, store, _jobs, byKind, Secrets, options, time, OnRunFinishedAsync, telemetry, loggers.CreateLogger("Kairos.Run")),
            loggers.CreateLogger("Kairos.Dispatcher"));
        _rescuer = new LeaseRescuer(store, options, time, _dispatcher.Wake, loggers.CreateLogger("Kairos.Rescuer"));
        _pruner = new Retention.Pruner(store, options, time, loggers.CreateLogger("Kairos.Retention"));
        Polls = new Polling.PollTriggerHost(store, _jobs, new Polling.PollerResolver(services, options, Secrets), time, _dispatcher.Wake, loggers.CreateLogger("Kairos.Polling"));
        var files = new Triggers.Files.FileTriggerHost(store, time, _dispatcher.Wake, loggers.CreateLogger("Kairos.Files"));
        _hosts.AddRange([Polls, files]);
        // What runs once in the cluster, on the leader: time triggers, poll triggers and retention.
        _deadlines = new Lifecycle.RunDeadlines(store, ct => _dispatcher.BeatAsync(ct), _time, loggers.CreateLogger("Kairos.Lifecycle"));
        _member = new Cluster.ClusterMember(store, new Cluster.DatabaseLeadership(store), options, _time, [_scheduler, Polls, _pruner, _deadlines], loggers.CreateLogger("Kairos.Cluster"));
        WebhookRefusals = new Webhooks.WebhookRefusals(store, metrics, time, loggers.CreateLogger("Kairos.Webhooks"));
        _nodeServices.AddRange([
            _dispatcher,
            new LeaseHeartbeat(_dispatcher, options, time, loggers.CreateLogger("Kairos.Dispatcher")),
            _rescuer,
            files,
            _member,
            new Cluster.ChangeListener(store.Notifier, OnOtherNodeChanged, time, loggers.CreateLogger("Kairos.Cluster")),
            WebhookRefusals,
        ]);
        if (options.ReleaseMemoryWhenIdle)
        {
            _nodeServices.Add(new IdleMemory(() => _dispatcher.Started, () => _dispatcher.ActiveCount, time, loggers.CreateLogger("Kairos.Engine")));
        }
    }

    public IKairosStore Store { get; }

    public KairosOptions Options => _options;

    /// <summary>Whether the engine's loops run: started and not stopped.</summary>
    public bool IsRunning => Volatile.Read(ref _stopping) is not null;

    /// <summary>Runs executing on this node now.</summary>
    public int ActiveRuns => _dispatcher.ActiveCount;

    /// <summary>Whether this node leads the cluster now: fires time and poll triggers.</summary>
    public bool IsLeader => _member.IsLeader;

    /// <summary>The engine's clock: the database's time when the store has a clock (PostgreSQL), else the node's.</summary>
    public TimeProvider Clock => _time;

    /// <summary>The nodes sharing this database, oldest first.</summary>
    public async Task<IReadOnlyList<Cluster.ClusterNode>> ListNodesAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var nodes = await Store.ListNodesAsync(now, cancellationToken).ConfigureAwait(false);
        return nodes.Select(n => new Cluster.ClusterNode(n.Id, n.Host, n.Version, n.StartedAt, n.LastSeenAt, n.Leader, now - n.LastSeenAt <= _options.LeaderLease)).ToList();
    }

    internal TriggerScheduler Scheduler => _scheduler;

    internal RunDispatcher Dispatcher => _dispatcher;

    internal LeaseRescuer Rescuer => _rescuer;

    internal Retention.Pruner Pruner => _pruner;

    internal Lifecycle.RunDeadlines Deadlines => _deadlines;

    internal Polling.PollTriggerHost Polls { get; }

    /// <summary>The engine's instruments (<c>kairos.*</c>), under the meter name a collector subscribes to; one per engine, so tests can tell engines apart.</summary>
    internal Observability.KairosMetrics Metrics { get; }

    /// <summary>What the spans of runs fired through this engine link to.</summary>
    private readonly Observability.RunTraceLinks _traceLinks = new();

    /// <summary>Counts deliveries refused before acceptance and journals them once a minute per hook.</summary>
    internal Webhooks.WebhookRefusals WebhookRefusals { get; }
    internal IReadOnlyList<ITriggerHost> Hosts => _hosts;

    /// <summary>Applies the configuration file again when it changes; null without a file.</summary>
    internal ConfigReloader? Reloader { get; private set; }

    /// <summary>Whether a handler of that name is registered (what a configuration's handler executors may name).</summary>
    internal bool HandlerExists(string name) => _handlers.Contains(name);

    /// <summary>Migrates the store and saves the jobs declared in options; does not start running anything.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await Store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await _time.SyncAsync(Store, cancellationToken).ConfigureAwait(false); // Jobs saved below start their triggers on the database's time.
        if (_options.ConfigFile is { } file)
        {
            var config = Configuration.YamlConfigLoader.LoadFile(file, _handlers.Contains);
            config.Engine.ApplyTo(_options);
            var declaredInCode = (Jobs: _options.Jobs.ToList(), Webhooks: _options.Webhooks.ToList(), Subscriptions: _options.Subscriptions.ToList());
            _options.Jobs.AddRange(config.Jobs);
            _options.Webhooks.AddRange(config.Webhooks);
            _options.Subscriptions.AddRange(config.Subscriptions);
            foreach (var (name, source) in config.Secrets)
            {
                _options.DeclaredSecrets[name] = source;
            }
            _options.ConfigFile = null; // Loaded once, even if the engine is initialized again.
            KairosOptionsValidator.ThrowIfInvalid(_options); // The file's engine section, on top of what the host validated.
            // A changed file is applied again with what the code declares: the code's jobs are declared too.
            Reloader = new ConfigReloader(file, await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), _handlers.Contains,
                (changed, ct) => ApplyAsync([.. declaredInCode.Jobs, .. changed.Jobs], [.. declaredInCode.Webhooks, .. changed.Webhooks],
                    [.. declaredInCode.Subscriptions, .. changed.Subscriptions], dryRun: false, ct),
                _time, _logger);
            _nodeServices.Add(Reloader);
        }
        // Literal webhook secrets stored before they were encrypted are encrypted now (with a key).
        await Secrets.WebhookSecrets.SealStoredAsync(Store, _time.GetUtcNow(), rotate: false, cancellationToken).ConfigureAwait(false);
        await ApplyAsync(_options.Jobs, _options.Webhooks, _options.Subscriptions, dryRun: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the stored definitions match a configuration: saves every declared webhook, job and
    /// subscription (each in its own transaction, as a save through the API), then deletes what the
    /// last start or apply declared and this one does not. A dry run only says what would change.
    /// </summary>
    public async Task<ApplyPlan> ApplyAsync(IReadOnlyList<JobDefinition> jobs, IReadOnlyList<Webhooks.WebhookDefinition> webhooks,
        IReadOnlyList<Events.Subscription> subscriptions, bool dryRun, CancellationToken cancellationToken)
    {
        var plan = await ConfigurationPlan.ForAsync(Store, jobs, webhooks, subscriptions, cancellationToken, Secrets.WebhookSecrets).ConfigureAwait(false);
        if (dryRun)
        {
            return plan with { DryRun = true };
        }
        foreach (var hook in webhooks)
        {
            await SaveWebhookAsync(hook, cancellationToken).ConfigureAwait(false);
        }
        foreach (var job in jobs)
        {
            await SaveJobAsync(job, cancellationToken).ConfigureAwait(false);
        }
        foreach (var subscription in subscriptions)
        {
            await SaveSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
        }
        var declared = ConfigurationPlan.Names(jobs, webhooks, subscriptions);
        if (declared.Count == 0)
        {
            // A start without a configuration (kairos serve without --config), or a file emptied by a
            // half-finished save, is not a request to delete everything declared before: keep it.
            return plan with { Changes = plan.Changes.Where(c => c.Action != ApplyAction.Delete).ToList() };
        }
        var removed = await Store.ApplyDeclaredAsync(declared, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        foreach (var gone in removed)
        {
            _logger.LogInformation("The configuration no longer declares {Kind} '{Name}': deleted", gone.Kind, gone.Name);
            _jobs.Forget(gone.Name);
        }
        if (removed.Count > 0)
        {
            _scheduler.Wake();
            foreach (var host in _hosts)
            {
                host.TriggersChanged();
            }
        }
        return plan;
    }

    /// <summary>Starts the dispatcher, its heartbeat, the rescuer, file watching, the cluster membership (which starts the leader services when this node leads) and the change listener.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = new CancellationTokenSource();
        var stopping = _stopping.Token;
        _loops = Task.WhenAll(_nodeServices.Select(service => Task.Run(() => service.RunAsync(stopping), CancellationToken.None)));
        _logger.LogInformation("Kairos engine started as node {Node} with {Workers} workers", _options.NodeId, _options.Workers);
        return Task.CompletedTask;
    }

    private void OnOtherNodeChanged(StoreChanges changes)
    {
        if (changes.HasFlag(StoreChanges.Jobs))
        {
            _jobs.ForgetAll();
        }
        if (changes.HasFlag(StoreChanges.Runs))
        {
            _dispatcher.Wake();
        }
        if (changes.HasFlag(StoreChanges.Triggers) || changes.HasFlag(StoreChanges.Jobs))
        {
            _scheduler.Wake();
            foreach (var host in _hosts)
            {
                host.TriggersChanged();
            }
        }
        if (changes.HasFlag(StoreChanges.Leadership))
        {
            _member.CheckInNow();
        }
        if (changes.HasFlag(StoreChanges.Cancels))
        {
            _ = StopCancelledRunsAsync();
        }
    }

    /// <summary>Another node, or an overlap policy, asked to cancel a run: if it runs here, stop it now rather than at the next heartbeat.</summary>
    private async Task StopCancelledRunsAsync()
    {
        try
        {
            await _dispatcher.BeatAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Checking for cancelled runs failed; the next heartbeat checks again");
        }
    }

    /// <summary>Stops claiming, lets running runs finish within the shutdown grace, hands the rest back.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loops.ConfigureAwait(false);
        await _dispatcher.DrainAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _stopping = null;
    }

    /// <summary>Creates or replaces a job and its triggers. Throws <see cref="KairosValidationException"/> listing every problem.</summary>
    public async Task SaveJobAsync(JobDefinition job, CancellationToken cancellationToken = default)
    {
        var errors = JobRules.Validate(job, _handlers.Contains);
        if (errors.Count > 0)
        {
            throw new KairosValidationException($"job {InputText.Quote(job.Name)} is invalid: " + string.Join("; ", errors));
        }
        if (job.Triggers.OfType<CompletionTriggerSpec>().Any())
        {
            var others = (await Store.ListJobsAsync(cancellationToken).ConfigureAwait(false)).Select(j => j.Definition).Where(j => j.Name != job.Name);
            if (CompletionGraph.FindUnboundedCycle(others.Append(job)) is { } cycle)
            {
                throw new KairosValidationException($"job '{job.Name}' is invalid: {CompletionGraph.Describe(cycle)}");
            }
        }
        var now = _time.GetUtcNow();
        var registrations = job.Triggers
            .Select(t => new TriggerRegistration(TriggerKeys.For(t), t, TriggerTimes.First(t, now)))
            .DistinctBy(t => t.Key)
            .ToList();
        await Store.SaveJobAsync(job, registrations, now, cancellationToken).ConfigureAwait(false);
        await Store.ReplaceOwnedSubscriptionsAsync(job.Name, CompletionSubscriptions(job), now, cancellationToken).ConfigureAwait(false);
        _jobs.Forget(job.Name);
        _scheduler.Wake();
        _deadlines.Wake();
        _dispatcher.Wake();
        foreach (var host in _hosts)
        {
            host.TriggersChanged();
        }
    }

    /// <summary>Creates or replaces a webhook served at <c>POST /hooks/{name}</c>.</summary>
    public async Task SaveWebhookAsync(Webhooks.WebhookDefinition hook, CancellationToken cancellationToken = default)
    {
        if (JobRules.QualifiedName(hook.Name, "webhook") is { } error)
        {
            throw new KairosValidationException(error);
        }
        if (Webhooks.WebhookRules.Check(hook) is { Count: > 0 } errors)
        {
            throw new KairosValidationException($"webhook '{hook.Name}' is invalid: {string.Join("; ", errors)}");
        }
        await Store.SaveWebhookAsync(hook, _time.GetUtcNow(), cancellationToken, Secrets.WebhookSecrets).ConfigureAwait(false);
    }

    /// <summary>
    /// A completion trigger is a subscription to run.* events of the job it follows, owned by the job
    /// that has the trigger: chaining is pub/sub, not a second mechanism.
    /// </summary>
    private static List<Events.Subscription> CompletionSubscriptions(JobDefinition job) =>
        job.Triggers.OfType<CompletionTriggerSpec>()
            .Select(t => new Events.Subscription(
                $"{job.Name}.after.{t.Job}.{t.On.ToString().ToLowerInvariant()}",
                t.On switch { CompletionOutcome.Succeeded => "run.succeeded", CompletionOutcome.Failed => "run.failed", _ => "run.*" },
                job.Name)
            {
                Filter = new System.Text.Json.Nodes.JsonObject { ["data.job"] = t.Job }.ToJsonString(),
                MaxDepth = t.MaxDepth,
                OwnerJob = job.Name,
            })
            .DistinctBy(s => s.Name)
            .ToList();

    /// <summary>Publishes an event: stored first, then one run per matching subscription, in one transaction.</summary>
    public async Task<Events.PublishResult> PublishAsync(Events.EventRequest request, CancellationToken cancellationToken = default)
    {
        // The client has written the namespace before the type (billing/invoice.paid).
        if ((Events.EventTypePattern.CheckType(Access.Namespaces.Local(request.Type)) ?? Access.Namespaces.Check(Access.Namespaces.Of(request.Type))) is { } typeError)
        {
            throw new KairosValidationException(typeError);
        }
        if (string.IsNullOrWhiteSpace(request.Source))
        {
            throw new KairosValidationException("an event needs a source: who or what published it");
        }
        if ((InputText.Key(request.Source, "the event source") ?? InputText.Key(request.IdempotencyKey, "the idempotency key")) is { } tooLong)
        {
            throw new KairosValidationException(tooLong);
        }
        if (JobRules.Priority(request.Priority) is { } priorityError)
        {
            throw new KairosValidationException(priorityError);
        }
        KairosJson.EnsureValid(request.Data, "the event data");
        var result = await Store.PublishAsync(request, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await AfterPublishedAsync(result, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// After a publish committed, by whatever path (the client, a webhook): the dispatcher wakes for the
    /// runs it queued, including those of the workflows whose waits it released, and the runs it asked
    /// to stop here stop at once.
    /// </summary>
    private async Task AfterPublishedAsync(Events.PublishResult result, CancellationToken cancellationToken)
    {
        _traceLinks.FiredByCurrent(result.Runs);
        if (result.GaveWork)
        {
            _dispatcher.Wake();
        }
        if (result.CancelledRuns > 0)
        {
            await _dispatcher.BeatAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates or replaces a subscription. Subscriptions owned by completion triggers are changed through their job.</summary>
    public async Task SaveSubscriptionAsync(Events.Subscription subscription, CancellationToken cancellationToken = default)
    {
        if ((JobRules.QualifiedName(subscription.Name, "subscription") ?? JobRules.SameNamespace(subscription.Name, subscription.Job, "job")) is { } nameError)
        {
            throw new KairosValidationException(nameError);
        }
        if (!Events.EventTypePattern.TryParse(subscription.Pattern, out _, out var patternError))
        {
            throw new KairosValidationException(patternError!);
        }
        var filter = Events.EventFilter.Parse(subscription.Filter);
        if (await Store.GetJobAsync(subscription.Job, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new KairosValidationException($"subscription '{subscription.Name}' targets job '{subscription.Job}', which does not exist");
        }
        if (await Store.GetSubscriptionAsync(subscription.Name, cancellationToken).ConfigureAwait(false) is { OwnerJob: { } owner })
        {
            throw new KairosConflictException($"subscription '{subscription.Name}' belongs to a completion trigger of job '{owner}'; change that job instead");
        }
        await Store.SaveSubscriptionAsync(subscription with { Filter = filter.Json, OwnerJob = null }, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues again the dead runs of an event (its failed deliveries).</summary>
    public async Task<IReadOnlyList<RunRecord>> RetryEventAsync(long eventId, CancellationToken cancellationToken = default)
    {
        _ = await Store.GetEventAsync(eventId, cancellationToken).ConfigureAwait(false) ?? throw new KairosNotFoundException($"event {eventId} does not exist");
        var dead = await Store.ListRunsAsync(new RunQuery { EventId = eventId, State = RunState.Dead, Limit = 10_000 }, cancellationToken).ConfigureAwait(false);
        var retried = new List<RunRecord>();
        foreach (var run in dead)
        {
            retried.Add(await RetryRunAsync(run.Id, cancellationToken).ConfigureAwait(false));
        }
        return retried;
    }

    /// <summary>Sends stored events of a time range again to one subscription.</summary>
    public async Task<IReadOnlyList<EnqueueResult>> ReplayEventsAsync(Events.ReplayRequest request, CancellationToken cancellationToken = default)
    {
        if (request.To <= request.From)
        {
            throw new KairosValidationException("the replay range is empty: 'to' must be after 'from'");
        }
        if (request.TypePattern is { } pattern && !Events.EventTypePattern.TryParse(pattern, out _, out var error))
        {
            throw new KairosValidationException(error!);
        }
        var runs = await Store.ReplayEventsAsync(request, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        _dispatcher.Wake();
        return runs;
    }

    /// <summary>Turns a verified webhook delivery into runs (one per bound job) and wakes the dispatcher.</summary>
    public async Task<WebhookDeliveryResult> AcceptWebhookAsync(WebhookDelivery delivery, CancellationToken cancellationToken = default)
    {
        var result = await Store.WriteAsync(tx => Webhooks.WebhookIntake.AcceptAsync(tx, delivery), cancellationToken).ConfigureAwait(false);
        if (result.Outcome != WebhookDeliveryOutcome.Replayed) // A replay is counted with the other refusals, by the endpoint.
        {
            Metrics.WebhookDelivery(delivery.Hook, Webhooks.WebhookRefusals.OutcomeName(result.Outcome));
        }
        _traceLinks.FiredByCurrent(result.Runs);
        if (result.Runs.Count > 0)
        {
            _dispatcher.Wake();
        }
        if (result.Published is { } published)
        {
            await AfterPublishedAsync(published, cancellationToken).ConfigureAwait(false);
        }
        return result;
    }

    /// <summary>The one entry point of work: validates and stores a run request, then wakes the dispatcher.</summary>
    public async Task<EnqueueResult> EnqueueAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        KairosJson.EnsureValid(request.Payload, "the payload");
        if (request.Priority is { } priority && JobRules.Priority(priority) is { } error)
        {
            throw new KairosValidationException(error);
        }
        if (InputText.Key(request.IdempotencyKey, "the idempotency key") is { } tooLong)
        {
            throw new KairosValidationException(tooLong);
        }
        var result = await Store.EnqueueAsync(request, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (result.Created)
        {
            _traceLinks.FiredByCurrent(result.RunId);
            _dispatcher.Wake();
        }
        return result;
    }

    /// <summary>Runs a job now with a payload (a manual run). Refused for a paused job.</summary>
    public async Task<EnqueueResult> RunNowAsync(string jobName, string? payload = null, string? idempotencyKey = null, CancellationToken cancellationToken = default, DateTimeOffset? notBefore = null)
    {
        var job = await Store.GetJobAsync(jobName, cancellationToken).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"job '{jobName}' does not exist");
        if (job.Definition.Paused)
        {
            throw new KairosConflictException($"job '{jobName}' is paused; resume it first (kairos jobs resume {jobName})");
        }
        return await EnqueueAsync(new RunRequest(jobName, TriggerSources.Manual) { Payload = payload, IdempotencyKey = idempotencyKey, NotBefore = notBefore }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs for the past scheduled times of a job's time triggers (see <see cref="Scheduling.Backfill"/>).</summary>
    public async Task<BackfillResult> BackfillAsync(BackfillRequest request, CancellationToken cancellationToken = default)
    {
        var result = await Scheduling.Backfill.RunAsync(Store, request, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (result.Enqueued > 0)
        {
            _dispatcher.Wake();
        }
        return result;
    }

    /// <summary>Deletes a job and its triggers; refused while it has queued or running runs unless <paramref name="cancelRuns"/>.</summary>
    public async Task DeleteJobAsync(string jobName, bool cancelRuns, CancellationToken cancellationToken = default)
    {
        var (deleted, stopping) = await Store.DeleteJobAsync(jobName, cancelRuns, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (!deleted)
        {
            throw new KairosNotFoundException($"job '{jobName}' does not exist");
        }
        _jobs.Forget(jobName);
        _scheduler.Wake();
        foreach (var host in _hosts)
        {
            host.TriggersChanged();
        }
        if (stopping > 0)
        {
            await _dispatcher.BeatAsync(cancellationToken).ConfigureAwait(false); // Stop its runs now if they run here.
        }
    }

    public async Task SetPausedAsync(string jobName, bool paused, CancellationToken cancellationToken = default)
    {
        if (!await Store.SetJobPausedAsync(jobName, paused, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            throw new KairosNotFoundException($"job '{jobName}' does not exist");
        }
        _jobs.Forget(jobName);
        _dispatcher.Wake();
    }

    public async Task<CancelResult> CancelRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        var result = await Store.CancelRunAsync(runId, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (result == CancelResult.NotFound)
        {
            throw new KairosNotFoundException($"run {runId} does not exist");
        }
        if (result == CancelResult.CancelRequested)
        {
            await _dispatcher.BeatAsync(cancellationToken).ConfigureAwait(false); // Stop it now if it runs here.
        }
        return result;
    }

    /// <summary>Queues a finished run again with a fresh set of attempts from its job's retry policy.</summary>
    public async Task<RunRecord> RetryRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        var run = await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"run {runId} does not exist");
        var job = await Store.GetJobAsync(run.JobName, cancellationToken).ConfigureAwait(false);
        var retried = await Store.RetryRunAsync(runId, Retries.RetryDecision.AttemptsForManualRetry(job?.Definition.Retry), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"run {runId} does not exist");
        _dispatcher.Wake();
        return retried;
    }

    /// <summary>
    /// Waits until the run has finished or <paramref name="timeout"/> passes (<see cref="Timeout.InfiniteTimeSpan"/>:
    /// no deadline); returns the run as it then is.
    /// </summary>
    public async Task<RunRecord?> WaitForRunAsync(long runId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Deadline(_time.GetUtcNow(), timeout);
        while (true)
        {
            var run = await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
            if (run is null || run.State.IsFinished() || _time.GetUtcNow() >= deadline)
            {
                return run;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>When a wait of <paramref name="timeout"/> started at <paramref name="now"/> ends; a timeout too long to add (or infinite) has none.</summary>
    internal static DateTimeOffset Deadline(DateTimeOffset now, TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "a wait's timeout must not be negative (Timeout.InfiniteTimeSpan waits without one)");
        }
        return timeout == Timeout.InfiniteTimeSpan || timeout >= DateTimeOffset.MaxValue - now ? DateTimeOffset.MaxValue : now + timeout;
    }

    private Task OnRunFinishedAsync(RunRecord run, JobDefinition job) =>
        _scheduler.OnRunFinishedAsync(run, job, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        foreach (var disposable in _nodeServices.OfType<IDisposable>())
        {
            disposable.Dispose();
        }
        await Store.DisposeAsync().ConfigureAwait(false);
    }
}
