using Kairos.Access;
using Kairos.Engine.Cluster;
using Kairos.Events;
using Kairos.Model;
using Kairos.Secrets;
using Kairos.Storage;
using Kairos.Webhooks;

namespace Kairos.Client;

/// <summary>
/// The one public way into Kairos, for the server and for applications that embed it: jobs, runs,
/// events, subscriptions, webhooks, nodes and stats. Every time it stamps (a run's due time, a
/// journal entry) comes from <see cref="Clock"/>, the engine's clock: the database's time in a
/// cluster, so a node whose own clock is off still enqueues runs that are due now.
/// <para>
/// Failures are exceptions a person can act on: <see cref="KairosValidationException"/> (bad input,
/// every problem listed), <see cref="KairosNotFoundException"/>, <see cref="KairosConflictException"/>
/// (a paused job, a finished run). <c>AddKairos</c> registers it as a singleton.
/// </para>
/// <example>
/// <code>
/// var kairos = host.Services.GetRequiredService&lt;IKairosClient&gt;();
/// var run = await kairos.RunNowAsync("send-digest", """{"to":"ops@example.org"}""", idempotencyKey: "startup-digest");
/// var finished = await kairos.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(30));
/// Console.WriteLine(finished?.State);
/// </code>
/// </example>
/// </summary>
public interface IKairosClient
{
    /// <summary>The engine's clock: the database's time when the store has one (PostgreSQL), else the node's.</summary>
    TimeProvider Clock { get; }

    // Jobs.

    /// <summary>Creates or replaces a job and its triggers; throws <see cref="KairosValidationException"/> listing every problem.</summary>
    Task SaveJobAsync(JobDefinition job, CancellationToken cancellationToken = default);

    /// <summary>The job named <paramref name="name"/>, or null.</summary>
    Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken = default);

    /// <summary>One page of jobs in name order: at most <see cref="JobQuery.Limit"/> whose names come after <see cref="JobQuery.After"/>.</summary>
    Task<IReadOnlyList<StoredJob>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken = default);

    /// <summary>The triggers of one job, or of every job when <paramref name="jobName"/> is null, with their next fire times.</summary>
    Task<IReadOnlyList<TriggerState>> ListTriggersAsync(string? jobName = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a job with its triggers; its runs stay as history. A job with queued or running runs is
    /// a <see cref="KairosConflictException"/> unless <paramref name="cancelRuns"/>, which cancels them.
    /// </summary>
    Task DeleteJobAsync(string name, bool cancelRuns = false, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes the stored jobs, webhooks and subscriptions match a YAML configuration (the file
    /// <c>kairos serve --config</c> reads; its engine, api and secrets sections are not applied):
    /// creates and updates what it declares, and deletes what the last start or apply declared and
    /// it no longer does; definitions created through the API are left alone. With
    /// <paramref name="dryRun"/> only says what would change. Works on the whole database: the
    /// caller must be of every namespace, and command jobs need what <see cref="SaveJobAsync"/> needs.
    /// </summary>
    Task<ApplyPlan> ApplyAsync(string yaml, bool dryRun = false, CancellationToken cancellationToken = default);

    /// <summary>Stops the job's triggers from firing and holds its queued runs; running runs go on.</summary>
    Task PauseJobAsync(string name, CancellationToken cancellationToken = default);

    Task ResumeJobAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>A manual run of the job now with a JSON payload; refused (<see cref="KairosConflictException"/>) while the job is paused.
    /// A repeated <paramref name="idempotencyKey"/> returns the run it created first.</summary>
    Task<EnqueueResult> RunNowAsync(string jobName, string? payload = null, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>A manual run of the job due at <paramref name="at"/> (now if it has passed); otherwise as <see cref="RunNowAsync"/>.</summary>
    Task<EnqueueResult> RunAtAsync(string jobName, DateTimeOffset at, string? payload = null, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    // Runs.

    /// <summary>Queues a run: the one entry point every trigger also uses (source, payload, idempotency key, priority, not-before time).</summary>
    Task<EnqueueResult> EnqueueAsync(RunRequest request, CancellationToken cancellationToken = default);

    Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Runs, newest first, filtered by job, state, event or parent run.</summary>
    Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a run of the workflow job <paramref name="jobName"/> with <paramref name="input"/> (JSON: its templates'
    /// <c>{{input…}}</c>), as <see cref="RunNowAsync"/> does; <see cref="KairosValidationException"/> when the job is not a workflow.
    /// </summary>
    Task<EnqueueResult> StartWorkflowAsync(string jobName, string? input = null, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>A workflow's run with each step's state; <see cref="KairosNotFoundException"/> when there is no such run or it is no workflow's.</summary>
    Task<WorkflowRunInfo> GetWorkflowRunAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Delivers <paramref name="data"/> (JSON; null: <c>{}</c>) to step <paramref name="stepId"/> of workflow run
    /// <paramref name="runId"/> as if a matching event had been published: the <c>waitForEvent</c> step ends with it
    /// as its output and the workflow moves on. Returns the workflow run as it then is.
    /// </summary>
    /// <exception cref="KairosConflictException">The step does not wait (it has not started, or has ended).</exception>
    Task<WorkflowRunInfo> SendToWorkflowStepAsync(long runId, string stepId, string? data, CancellationToken cancellationToken = default);

    /// <summary>
    /// Retries a failed or cancelled workflow run from the steps that did not succeed, with the same inputs: steps that
    /// succeeded are not run again, and the run waits again. Returns the workflow run as it then is.
    /// </summary>
    /// <exception cref="KairosConflictException">The workflow run is in a state other than failed or cancelled (the message says which).</exception>
    Task<WorkflowRunInfo> RetryWorkflowAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends step <paramref name="stepId"/> succeeded with <paramref name="output"/> (JSON; null: none) and moves the workflow on:
    /// a step whose run is queued (not started yet, sleeping, waiting for an event) has its run cancelled; a failed step of
    /// a failed workflow reopens the workflow as <see cref="RetryWorkflowAsync"/> does. Returns the workflow run as it then is.
    /// </summary>
    /// <exception cref="KairosConflictException">The workflow or the step is in a state a skip does not end (the message says which).</exception>
    Task<WorkflowRunInfo> SkipWorkflowStepAsync(long runId, string stepId, string? output = null, CancellationToken cancellationToken = default);

    /// <summary>Pauses a running workflow run: steps going finish, no new step starts until <see cref="ResumeWorkflowAsync"/>.</summary>
    /// <exception cref="KairosConflictException">The workflow run is not running.</exception>
    Task<WorkflowRunInfo> PauseWorkflowAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Resumes a paused workflow run: the steps that became ready while it was paused start.</summary>
    /// <exception cref="KairosConflictException">The workflow run is not paused.</exception>
    Task<WorkflowRunInfo> ResumeWorkflowAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Cancels a workflow run: its queued and running steps are cancelled; with <paramref name="compensate"/>, the compensations of
    /// the steps that succeeded run first, in reverse order of completion, and it ends cancelled after them.
    /// </summary>
    /// <exception cref="KairosConflictException">The workflow run has ended (or, with compensation, is compensating already).</exception>
    Task<WorkflowRunInfo> CancelWorkflowAsync(long runId, bool compensate = false, CancellationToken cancellationToken = default);

    /// <summary>Version <paramref name="version"/> of workflow job <paramref name="jobName"/>'s definition (null: its latest).</summary>
    /// <exception cref="KairosNotFoundException">There is no such job, or it has no such version.</exception>
    Task<WorkflowVersion> GetWorkflowVersionAsync(string jobName, int? version = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a running or paused workflow run onto version <paramref name="toVersion"/> of its job's definition: allowed when every step
    /// the run has started or ended is in that version; its pending steps the version lacks are dropped, the version's new steps added.
    /// </summary>
    /// <exception cref="KairosConflictException">The run has ended, or steps it started or ended are not in that version (the message names them).</exception>
    Task<WorkflowRunInfo> MigrateWorkflowAsync(long runId, int toVersion, CancellationToken cancellationToken = default);

    /// <summary>The run's log lines (handler logger, command output); <see cref="KairosNotFoundException"/> when there is no such run.</summary>
    Task<IReadOnlyList<RunLogLine>> GetRunLogAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>A window of a run's log (<paramref name="query"/>): for a page that must not hold a huge log whole. A line
    /// longer than <see cref="RunLogQuery.MaxLineChars"/> ends with a note that it was cut.</summary>
    Task<IReadOnlyList<RunLogLine>> GetRunLogAsync(long runId, RunLogQuery query, CancellationToken cancellationToken = default);

    /// <summary>Every journal entry about the run, oldest first; <see cref="KairosNotFoundException"/> when there is no such run.</summary>
    Task<IReadOnlyList<JournalEntry>> GetRunJournalAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Journal entries (the audit trail), oldest first, optionally about one run or job or after a sequence number.</summary>
    Task<IReadOnlyList<JournalEntry>> ListJournalAsync(JournalQuery query, CancellationToken cancellationToken = default);

    /// <summary>Cancels a queued run at once, or asks the node running it to stop. A finished run answers <see cref="CancelResult.AlreadyFinished"/>.</summary>
    Task<CancelResult> CancelRunAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Queues a finished run again with a fresh set of attempts from its job's retry policy.</summary>
    Task<RunRecord> RetryRunAsync(long runId, CancellationToken cancellationToken = default);

    /// <summary>Waits until the run has finished or <paramref name="timeout"/> passes; returns the run as it then is (null: no such run).</summary>
    Task<RunRecord?> WaitForRunAsync(long runId, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Waits until every run has finished or <paramref name="timeout"/> passes, all within one deadline;
    /// returns the runs as they then are, in the order asked, leaving out ids with no run.</summary>
    Task<IReadOnlyList<RunRecord>> WaitForRunsAsync(IReadOnlyList<long> runIds, TimeSpan timeout, CancellationToken cancellationToken = default);

    // Events.

    /// <summary>Publishes an event: stored, then one run per matching subscription, in one transaction.</summary>
    Task<PublishResult> PublishAsync(EventRequest request, CancellationToken cancellationToken = default);

    Task<StoredEvent?> GetEventAsync(long eventId, CancellationToken cancellationToken = default);

    /// <summary>Events, newest first, filtered by type pattern, status and time range.</summary>
    Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken = default);

    /// <summary>Cancels a pending event and its queued runs; returns how many runs it cancelled. Not found and not pending are exceptions.</summary>
    Task<int> CancelEventAsync(long eventId, CancellationToken cancellationToken = default);

    /// <summary>Queues the event's dead runs (its failed deliveries) again.</summary>
    Task<IReadOnlyList<RunRecord>> RetryEventAsync(long eventId, CancellationToken cancellationToken = default);

    /// <summary>Sends the stored events of a time range again to one subscription.</summary>
    Task<IReadOnlyList<EnqueueResult>> ReplayEventsAsync(ReplayRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends one stored event again, and no other: to <paramref name="subscription"/>, or when it is null to every
    /// subscription of the event's namespace whose type pattern takes the event. Each subscription's filter decides
    /// whether a run is queued (returned); whatever happened before stays as history.
    /// </summary>
    /// <exception cref="KairosNotFoundException">No such event, or no such subscription.</exception>
    Task<IReadOnlyList<EnqueueResult>> ReplayEventAsync(long eventId, string? subscription = null, CancellationToken cancellationToken = default);

    // Subscriptions.

    /// <summary>Creates or replaces a subscription; those owned by a completion trigger change only through their job.</summary>
    Task SaveSubscriptionAsync(Subscription subscription, CancellationToken cancellationToken = default);

    Task<Subscription?> GetSubscriptionAsync(string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a subscription; false when there was none of that name.</summary>
    Task<bool> DeleteSubscriptionAsync(string name, CancellationToken cancellationToken = default);

    // Webhooks.

    /// <summary>Creates or replaces a webhook served at <c>POST /hooks/{name}</c>.</summary>
    Task SaveWebhookAsync(WebhookDefinition hook, CancellationToken cancellationToken = default);

    Task<WebhookDefinition?> GetWebhookAsync(string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WebhookDefinition>> ListWebhooksAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a webhook; false when there was none of that name.</summary>
    Task<bool> DeleteWebhookAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Turns a verified delivery into runs (one per bound job, paused ones skipped), refusing a replayed delivery id.</summary>
    Task<WebhookDeliveryResult> AcceptWebhookAsync(WebhookDelivery delivery, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts a delivery refused before it was accepted (unknown hook, rate limited, too large, bad
    /// signature…) without writing anything: the metric <c>kairos.webhook.deliveries</c> counts it at
    /// once, and one <c>webhook.refused</c> journal entry per hook and minute sums the reasons.
    /// </summary>
    void CountWebhookRefusal(string hook, WebhookRefusalReason reason);

    // Access.

    /// <summary>Who this client acts for; <see cref="KairosCaller.System"/> unless it came from <see cref="As"/>.</summary>
    KairosCaller Caller { get; }

    /// <summary>
    /// The same client acting for <paramref name="caller"/>: what it may declare (command executors
    /// and SQL poll triggers need <see cref="KairosScope.Admin"/> and <see cref="KairosCaller.CommandsAllowed"/>)
    /// and whether it may manage keys are checked against it.
    /// </summary>
    IKairosClient As(KairosCaller caller);

    /// <summary>
    /// The namespace this client works in (see <see cref="Namespaces"/>): names it is given are taken
    /// in it, its lists hold only its objects, and anything of another namespace is not found. Null:
    /// the whole database, names taken as written (<c>report</c>, <c>billing/report</c>).
    /// </summary>
    string? Namespace { get; }

    /// <summary>
    /// The same client working in <paramref name="ns"/> (null: the whole database). A namespace the
    /// caller is not bound to is <see cref="KairosNotFoundException"/>, as if it did not exist.
    /// </summary>
    IKairosClient In(string? ns);

    /// <summary>
    /// Creates an API key (admin only); the token in the result is shown once and never stored.
    /// <paramref name="namespaces"/>: the only namespaces it works in; null: every one.
    /// </summary>
    Task<CreatedApiKey> CreateApiKeyAsync(string name, KairosScope scope, DateTimeOffset? expiresAt = null, IReadOnlyList<string>? namespaces = null,
        CancellationToken cancellationToken = default);

    /// <summary>The API keys, by name, without their secrets (admin only).</summary>
    Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes (deletes) a key at once (admin only); false when there was none of that name.</summary>
    Task<bool> RevokeApiKeyAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The unexpired key a presented token belongs to, or null; records when the key was last used.</summary>
    Task<ApiKey?> AuthenticateAsync(string token, CancellationToken cancellationToken = default);

    // Secrets (admin only; values go in, never out).

    /// <summary>Stores a secret encrypted (creating or replacing it); jobs use it as <c>{{secrets.NAME}}</c> in HTTP headers and command env.</summary>
    Task SetSecretAsync(string name, string value, CancellationToken cancellationToken = default);

    /// <summary>The secrets by name, stored and declared by the configuration; never their values.</summary>
    Task<IReadOnlyList<SecretInfo>> ListSecretsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes a stored secret; false when there was none of that name.</summary>
    Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>A webhook's secret for checking a delivery (admin only): from the configuration, the environment or a named secret; null when unavailable.</summary>
    Task<string?> ResolveWebhookSecretAsync(WebhookDefinition hook, CancellationToken cancellationToken = default);

    /// <summary>Re-encrypts every stored secret with the current (first) secret key; returns how many changed.</summary>
    Task<int> RotateSecretsAsync(CancellationToken cancellationToken = default);

    // Schedules.

    /// <summary>
    /// The next <paramref name="count"/> (1–100) fire times of each time trigger of the job (cron,
    /// interval, once), each due time including the trigger's jitter, and each schedule in words.
    /// A paused job's times are still given, with <see cref="JobFireTimes.Paused"/> set: they enqueue nothing until it is resumed.
    /// </summary>
    Task<JobFireTimes> GetNextFireTimesAsync(string jobName, int count = 5, CancellationToken cancellationToken = default);

    /// <summary>
    /// Enqueues one run per scheduled time of the job's time triggers in [from, to) (source
    /// <c>backfill</c>, the scheduler's payload plus <c>"backfill": true</c>); a time that already has
    /// a run is not enqueued again. Refused: a paused job (<see cref="KairosConflictException"/>), an
    /// empty or future range, no time trigger, more than <see cref="BackfillRequest.MaxRuns"/> runs
    /// (<see cref="KairosValidationException"/>).
    /// </summary>
    Task<BackfillResult> BackfillAsync(BackfillRequest request, CancellationToken cancellationToken = default);

    // Cluster and health.

    /// <summary>The nodes sharing the database, oldest first, with the leader and which are alive.</summary>
    Task<IReadOnlyList<ClusterNode>> ListNodesAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs by state, jobs, triggers and journal size, over the whole database.</summary>
    Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The namespaces the caller may see, in name order, each with its jobs and runs by state: for a
    /// caller of every namespace, each one that holds a job, webhook or subscription or has a limit
    /// configured, and <c>default</c>; for a caller bound to namespaces, those.
    /// </summary>
    Task<IReadOnlyList<NamespaceInfo>> ListNamespacesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs finished per minute by outcome over the last <paramref name="window"/> (1 minute to 1 day),
    /// queued runs by queue and running runs now, in this client's namespace; see <see cref="RunActivity"/> for what it counts.
    /// </summary>
    Task<RunActivity> GetRunActivityAsync(TimeSpan window, CancellationToken cancellationToken = default);

    /// <summary>This node now, read without the database.</summary>
    NodeStatus ThisNode { get; }

    /// <summary>Asks the database a question (it throws when the database does not answer), then returns <see cref="ThisNode"/>.</summary>
    Task<NodeStatus> CheckHealthAsync(CancellationToken cancellationToken = default);
}
