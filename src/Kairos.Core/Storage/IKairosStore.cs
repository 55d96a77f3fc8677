using Kairos.Model;

namespace Kairos.Storage;

/// <summary>
/// The one storage contract. SQL lives only in its implementations. Invariants every implementation
/// keeps:
/// <list type="bullet">
/// <item>Every state change and its journal entry commit in one transaction; the journal is append-only.</item>
/// <item>A write is acknowledged (its task completes) only after it is committed.</item>
/// <item>A run is claimed by one owner at a time: claiming sets state running, the owner and a lease
/// expiry; only the owner can complete it, and only while it still owns it.</item>
/// <item>Firing a trigger (moving its next fire time) and enqueueing its runs is one transaction,
/// conditional on the next fire time it read, so a tick fires at most once.</item>
/// </list>
/// Times passed in come from the engine's <see cref="TimeProvider"/>.
/// </summary>
internal interface IKairosStore : IAsyncDisposable
{
    /// <summary>Creates or upgrades the schema; refuses a database whose schema is newer than this build.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs a rule from Core (<see cref="Drivers.IDriverTransaction"/>) in one transaction and commits
    /// it; an exception rolls the whole transaction back and reaches the caller. An
    /// <paramref name="urgent"/> write goes ahead of the writes a driver has queued (SQLite's single
    /// writer): a leadership renewal must not wait behind a burst of completions.
    /// </summary>
    Task<T> WriteAsync<T>(Func<Drivers.IDriverTransaction, ValueTask<T>> rule, CancellationToken cancellationToken, bool urgent = false);

    // Jobs and their triggers.
    Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken);
    Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken);

    /// <summary>One page of jobs, ordered by name (ordinal), read as a page by the database rather than filtered from every job.</summary>
    Task<IReadOnlyList<StoredJob>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken);

    Task<IReadOnlyList<TriggerState>> ListTriggersAsync(string? jobName, CancellationToken cancellationToken);
    Task<IReadOnlyList<TriggerState>> ListDueTriggersAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
    Task<DateTimeOffset?> GetNextTriggerFireAsync(CancellationToken cancellationToken);
    Task SetTriggerNextFireAsync(long triggerId, DateTimeOffset? nextFireAt, CancellationToken cancellationToken);

    // Runs.
    Task<EnqueueResult> EnqueueAsync(RunRequest request, DateTimeOffset now, CancellationToken cancellationToken);
    Task<IReadOnlyList<RunRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken);
    Task<LeaseRenewal> RenewLeasesAsync(string owner, IReadOnlyCollection<long> runIds, DateTimeOffset leaseExpiresAt, CancellationToken cancellationToken);
    Task<bool> CompleteAsync(RunCompletion completion, CancellationToken cancellationToken);

    /// <summary>
    /// The earliest due time of a queued run that could be claimed (runs of paused jobs do not count),
    /// later than <paramref name="after"/> when given (runs due by then were looked at already).
    /// </summary>
    Task<DateTimeOffset?> GetNextQueuedDueAsync(DateTimeOffset? after, CancellationToken cancellationToken);

    Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken);
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken);
    Task AppendRunLogAsync(long runId, IReadOnlyList<RunLogLine> lines, CancellationToken cancellationToken);
    /// <summary>The lines of <paramref name="query"/>'s window, each line's text at most one character longer than its
    /// <see cref="RunLogQuery.MaxLineChars"/>, so the caller can tell a line was cut (<see cref="Client.KairosClient"/> marks it).</summary>
    Task<IReadOnlyList<RunLogLine>> GetRunLogAsync(long runId, RunLogQuery query, CancellationToken cancellationToken);

    Task<IReadOnlyList<RunLogLine>> GetRunLogAsync(long runId, CancellationToken cancellationToken) => GetRunLogAsync(runId, RunLogQuery.All, cancellationToken);

    /// <summary>A workflow run's state and steps; null when the run is not a workflow's (or has not started).</summary>
    Task<Drivers.StoredWorkflow?> GetWorkflowAsync(long runId, CancellationToken cancellationToken);
    /// <summary>A workflow job's definition as saved in <paramref name="version"/>, or its latest when null; null when there is no such version.</summary>
    Task<Drivers.WorkflowVersionRow?> GetWorkflowVersionAsync(string jobName, int? version, CancellationToken cancellationToken);
    Task<IReadOnlyList<JournalEntry>> ListJournalAsync(JournalQuery query, CancellationToken cancellationToken);
    /// <summary>Counts over the whole database, or over the jobs of one namespace (<paramref name="ns"/>).</summary>
    Task<StoreStats> GetStatsAsync(string? ns, CancellationToken cancellationToken);

    /// <summary>Queued runs (due or not, held or not) counted by queue, over the whole database; a queue with none is left out.</summary>
    Task<IReadOnlyDictionary<string, long>> CountQueuedRunsByQueueAsync(CancellationToken cancellationToken);

    /// <summary>Appends a journal entry that records something without changing state (e.g. a rejected webhook delivery).</summary>
    Task AppendJournalAsync(string kind, string? jobName, string? data, DateTimeOffset now, CancellationToken cancellationToken);

    // API keys.
    Task<StoredApiKey?> GetApiKeyAsync(string id, CancellationToken cancellationToken);
    Task<IReadOnlyList<Access.ApiKey>> ListApiKeysAsync(CancellationToken cancellationToken);

    // Secrets (encrypted values; names are not secret).
    Task<StoredSecret?> GetSecretAsync(string name, CancellationToken cancellationToken);
    Task<IReadOnlyList<StoredSecret>> ListSecretsAsync(CancellationToken cancellationToken);

    // Webhooks.
    Task<Webhooks.WebhookDefinition?> GetWebhookAsync(string name, CancellationToken cancellationToken);
    Task<IReadOnlyList<Webhooks.WebhookDefinition>> ListWebhooksAsync(CancellationToken cancellationToken);

    // Events and subscriptions. Publishing stores the event, matches the active subscriptions and
    // enqueues one run per match in one transaction. A run reaching succeeded, dead or cancelled
    // publishes run.succeeded / run.failed / run.cancelled in the transaction that ends it, when
    // some active subscription matches that event (type and filter).

    Task<Events.Subscription?> GetSubscriptionAsync(string name, CancellationToken cancellationToken);
    Task<IReadOnlyList<Events.Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken);
    Task<Events.PublishResult> PublishAsync(Events.EventRequest request, DateTimeOffset now, CancellationToken cancellationToken);
    Task<Events.StoredEvent?> GetEventAsync(long eventId, CancellationToken cancellationToken);
    Task<IReadOnlyList<Events.StoredEvent>> ListEventsAsync(Events.EventQuery query, CancellationToken cancellationToken);


    /// <summary>Enqueues one run of the subscription's job per stored event in the range that matches the subscription.</summary>
    Task<IReadOnlyList<EnqueueResult>> ReplayEventsAsync(Events.ReplayRequest request, DateTimeOffset now, CancellationToken cancellationToken);

    // Retention: thin deletes for the pruner, with no policy of their own. Each removes at most
    // `limit` rows in one transaction and returns how many it removed, so the caller repeats it
    // until a batch comes back short and no statement ever deletes millions of rows.

    /// <summary>
    /// Deletes runs in the finished <paramref name="state"/> that finished before <paramref name="finishedBefore"/>,
    /// oldest first, with their log lines. Throws for a state that is not finished: queued and running runs are never deleted.
    /// </summary>
    Task<int> DeleteFinishedRunsAsync(RunState state, DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes events published before <paramref name="publishedBefore"/> that no run refers to any
    /// more (their runs were deleted, or they matched none), oldest first. An event with a run left,
    /// queued, running or finished, is kept, so no run points at a missing event.
    /// </summary>
    Task<int> DeleteEventsAsync(DateTimeOffset publishedBefore, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes at most <paramref name="limit"/> rows of flow-control state whose time is before
    /// <paramref name="before"/> and whose run, if any, is no longer queued or running.
    /// </summary>
    Task<int> DeleteFlowStateAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes journal entries written before <paramref name="before"/>, oldest first; never the
    /// newest entry (sequence numbers are never handed out twice) nor an entry of a run still queued or running.
    /// </summary>
    Task<int> DeleteJournalAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>Forgets the delivery ids of <paramref name="hook"/> whose replay window started (received, or stamped later) before <paramref name="receivedBefore"/> (replay protection no longer needs them).</summary>
    Task<int> DeleteWebhookDeliveriesAsync(string hook, DateTimeOffset receivedBefore, int limit, CancellationToken cancellationToken);

    // File-watch and poll trigger state: kept per trigger, so it survives restarts.
    Task<IReadOnlyList<FileSnapshot>> GetFileStateAsync(long triggerId, CancellationToken cancellationToken);

    Task<PollState?> GetPollStateAsync(long triggerId, CancellationToken cancellationToken);

    // Cluster: the database's clock, the nodes (leadership is a rule over the driver transaction: Engine/Cluster/Leadership), change notifications.

    /// <summary>
    /// The database server's current time, the cluster's time reference; null when the database has
    /// no clock of its own (SQLite: the node's clock is the reference).
    /// </summary>
    Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken);

    /// <summary>The known nodes, oldest first; <see cref="NodeRecord.Leader"/> marks the holder of an unexpired leadership.</summary>
    Task<IReadOnlyList<NodeRecord>> ListNodesAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>How this node hears what other nodes change.</summary>
    Drivers.INotifier Notifier { get; }
}
