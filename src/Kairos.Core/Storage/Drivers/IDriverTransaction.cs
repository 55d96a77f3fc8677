using Kairos.Events;
using Kairos.Model;

namespace Kairos.Storage.Drivers;

/// <summary>
/// One open write transaction of a storage driver, as the rules in Core see it: primitives that read
/// or change rows, with no business rule, HTTP status or journal wording of their own. Everything a
/// rule does through one transaction commits together or not at all.
/// <para>
/// Drivers whose calls complete synchronously (SQLite's single writer) return completed tasks, and
/// a rule must then not await anything but these primitives: the SQLite driver refuses a rule that
/// would leave its writer thread.
/// </para>
/// <para>
/// Rules move behind this contract one at a time (see docs/architecture.md); the primitives here are
/// those the moved rules need so far.
/// </para>
/// </summary>
internal interface IDriverTransaction
{
    /// <summary>Appends one journal entry, stamped with this node's id.</summary>
    ValueTask AppendJournalAsync(DateTimeOffset at, string kind, string? jobName, long? runId, long? triggerId, string? data);

    /// <summary>Readies the transaction for a claim (e.g. a plan that walks the claim-order index).</summary>
    ValueTask BeginClaimAsync();

    /// <summary>
    /// Due queued runs (due at or before <paramref name="now"/>, not held, job not paused) in claim
    /// order after <paramref name="after"/> (from the start when null), at most <paramref name="limit"/>.
    /// Each is held for this transaction; runs another transaction holds are passed over, not waited for.
    /// </summary>
    ValueTask<IReadOnlyList<ClaimCandidate>> ReadClaimCandidatesAsync(DateTimeOffset now, ClaimCandidate? after, int limit);

    /// <summary>Makes claims that check limits take turns across nodes, until this transaction ends.</summary>
    ValueTask LockClaimLimitsAsync();

    /// <summary>Running runs, counted by job, queue and executor kind.</summary>
    ValueTask<IReadOnlyList<RunningCount>> CountRunningRunsAsync();

    /// <summary>The concurrency keys (<see cref="NewRun.FlowKeys"/>) of the running runs that have any, on every node.</summary>
    ValueTask<IReadOnlyList<string>> ListRunningFlowKeysAsync();

    /// <summary>The flow state stored under <paramref name="key"/>; null when there is none.</summary>
    ValueTask<FlowState?> GetFlowStateAsync(string key);

    /// <summary>Stores <paramref name="state"/> under <paramref name="key"/>, replacing what was there.</summary>
    ValueTask SetFlowStateAsync(string key, FlowState state);

    /// <summary>Gives a queued run <paramref name="payload"/> and <paramref name="dueAt"/>; false when it is no longer queued.</summary>
    ValueTask<bool> UpdateQueuedRunAsync(long runId, string? payload, DateTimeOffset dueAt);

    /// <summary>
    /// Marks the runs running (next attempt, leased to <paramref name="owner"/>, started at the time
    /// given); returns them in the order given.
    /// </summary>
    ValueTask<IReadOnlyList<RunRecord>> MarkClaimedAsync(IReadOnlyList<RunStart> starts, string owner, DateTimeOffset leaseExpiresAt);

    /// <summary>Appends journal entries in the order given (one statement where the driver can).</summary>
    ValueTask AppendJournalAsync(IReadOnlyList<JournalWrite> entries);

    /// <summary>Whether a job of that name exists.</summary>
    ValueTask<bool> JobExistsAsync(string jobName);

    /// <summary>The job's stored definition (JSON), its row held until the transaction ends; null when there is none.</summary>
    ValueTask<string?> GetJobDefinitionForUpdateAsync(string jobName);

    /// <summary>The job's stored definition (JSON) without holding its row; null when there is none.</summary>
    ValueTask<string?> GetJobDefinitionAsync(string jobName);

    /// <summary>Creates or replaces the job's row from <paramref name="job"/> and its JSON <paramref name="definition"/>; its version grows by one.</summary>
    ValueTask UpsertJobAsync(JobDefinition job, string definition, DateTimeOffset now);

    /// <summary>Pauses or resumes the job (its version grows; its queued runs are held while it is paused); false when there is no such job.</summary>
    ValueTask<bool> SetJobPausedAsync(string jobName, bool paused, DateTimeOffset now);

    /// <summary>The keys of the job's stored triggers.</summary>
    ValueTask<IReadOnlyList<string>> ListTriggerKeysAsync(string jobName);

    /// <summary>Deletes one of the job's triggers with its file and poll state.</summary>
    ValueTask DeleteTriggerAsync(string jobName, string key);

    /// <summary>Stores a new trigger of the job with its first fire time.</summary>
    ValueTask InsertTriggerAsync(string jobName, TriggerRegistration trigger, DateTimeOffset now);

    /// <summary>What a new run of the job takes from it; null when the job does not exist.</summary>
    ValueTask<JobSettings?> GetJobSettingsAsync(string jobName);

    /// <summary>The same for several jobs at once; jobs that do not exist are left out.</summary>
    ValueTask<IReadOnlyDictionary<string, JobSettings>> GetJobSettingsAsync(IReadOnlyCollection<string> jobNames);

    /// <summary>Holds the job's row until the transaction ends, so decisions about its runs are taken one at a time across nodes.</summary>
    ValueTask LockJobAsync(string jobName);

    /// <summary>The job's queued and running runs.</summary>
    ValueTask<long> CountActiveRunsAsync(string jobName);

    /// <summary>The ids of the job's queued and running runs, oldest first.</summary>
    ValueTask<IReadOnlyList<long>> ListActiveRunIdsAsync(string jobName);

    /// <summary>The job's queued and running runs with their creation time and payload, oldest first.</summary>
    ValueTask<IReadOnlyList<ActiveRun>> ListActiveRunsAsync(string jobName);

    /// <summary>
    /// The jobs whose row stores cancelOn rules, with those rules; cheap when no job has any (an
    /// index holds only such jobs), since every publish asks.
    /// </summary>
    ValueTask<IReadOnlyList<CancelRules>> ListCancelRulesAsync();

    /// <summary>Deletes the job's row (its triggers are deleted one by one before); its runs stay as history. False when there is none.</summary>
    ValueTask<bool> DeleteJobAsync(string jobName);

    /// <summary>The trigger's queued and running runs (of job <paramref name="jobName"/>), oldest first.</summary>
    ValueTask<IReadOnlyList<TriggerRun>> ListActiveRunsOfTriggerAsync(string jobName, long triggerId);

    /// <summary>
    /// Moves a queued run's due time from <paramref name="from"/> to <paramref name="to"/>; false when
    /// it is no longer queued and due at <paramref name="from"/> (it ended meanwhile).
    /// </summary>
    ValueTask<bool> MoveQueuedRunAsync(long runId, DateTimeOffset from, DateTimeOffset to);

    /// <summary>The run of this job with this idempotency key, whatever its state; null when there is none.</summary>
    ValueTask<EnqueueResult?> FindRunByIdempotencyKeyAsync(string jobName, string key);

    /// <summary>A queued or running run of the trigger with this de-duplication key; null when there is none.</summary>
    ValueTask<EnqueueResult?> FindActiveRunByDedupeKeyAsync(long triggerId, string dedupeKey);

    /// <summary>
    /// The common insert in one step: a queued run of <paramref name="request"/>'s job taking the job's
    /// queue, executor kind, priority (unless the request sets one), attempts and paused state from
    /// its row, due at the request's not-before time or <paramref name="now"/>. Only for a job with no
    /// overlap rule (skip-on-overlap with an instance limit) and no flow control: returns null for such a job, for a job
    /// that does not exist, and when the idempotency key is taken.
    /// </summary>
    ValueTask<long?> InsertRunFromJobAsync(RunRequest request, DateTimeOffset now);

    /// <summary>Inserts one run; returns its id, or null when its idempotency key is taken (by a transaction that committed meanwhile).</summary>
    ValueTask<long?> InsertRunAsync(NewRun run);

    /// <summary>Inserts runs without idempotency keys; returns their ids in the order given.</summary>
    ValueTask<IReadOnlyList<long>> InsertRunsAsync(IReadOnlyList<NewRun> runs);

    /// <summary>One run as stored now; null when there is none.</summary>
    ValueTask<RunRecord?> GetRunAsync(long runId);

    /// <summary>One run's state and attempts, its row held until the transaction ends (so a completion cannot slip in between); null when there is none.</summary>
    ValueTask<RunSummary?> GetRunSummaryAsync(long runId);

    /// <summary>The run if it is running and <paramref name="owner"/> holds its lease, its row held until the transaction ends.</summary>
    ValueTask<RunSummary?> GetRunningRunAsync(long runId, string owner);

    /// <summary>Running runs whose lease expired before <paramref name="now"/>, oldest first; rows another transaction holds are skipped.</summary>
    ValueTask<IReadOnlyList<RunSummary>> ListExpiredRunsAsync(DateTimeOffset now);

    /// <summary>Queues the run again, due at <paramref name="dueAt"/>, with no lease, noting <paramref name="error"/>.</summary>
    ValueTask RequeueRunAsync(long runId, DateTimeOffset dueAt, string error);

    /// <summary>Undoes the claim of a run that never began: queued again with its attempt given back, no start time and no lease.</summary>
    ValueTask UnclaimRunAsync(long runId);

    /// <summary>Ends the run in a finished state at <paramref name="at"/>, with no lease, noting <paramref name="error"/>.</summary>
    ValueTask FinishRunAsync(long runId, RunState state, string error, DateTimeOffset at);

    /// <summary>
    /// Stores outcomes: each run becomes <paramref name="states"/>[i] (queued again at its RetryAt, or
    /// finished), with its output and error, and loses its lease, but only while it is running and
    /// the completion's owner holds it. Returns, in order, what the rules need of each run stored,
    /// or null for a run the owner no longer held.
    /// </summary>
    ValueTask<IReadOnlyList<CompletedRun?>> CompleteRunsAsync(IReadOnlyList<RunCompletion> completions, IReadOnlyList<RunState> states);

    /// <summary>Appends log lines to runs, in the order given.</summary>
    ValueTask AppendRunLogsAsync(IReadOnlyList<(long RunId, RunLogLine Line)> lines);

    /// <summary>Flags a running run to be cancelled by the node running it.</summary>
    ValueTask RequestCancelAsync(long runId);

    /// <summary>Queues a finished run again, due at <paramref name="dueAt"/>, allowed <paramref name="maxAttempts"/> attempts in all; returns it.</summary>
    ValueTask<RunRecord> ReopenRunAsync(long runId, DateTimeOffset dueAt, int maxAttempts);

    /// <summary>Ends a waiting run (a workflow's) in <paramref name="state"/> with its output and error; false when it is not waiting.</summary>
    ValueTask<bool> FinishWaitingRunAsync(long runId, RunState state, string? output, string? error, DateTimeOffset at);

    /// <summary>Puts an ended run (a workflow's, retried) back in state waiting, with no output, error, end time or cancel request.</summary>
    ValueTask ReopenRunWaitingAsync(long runId);

    /// <summary>Stores a new workflow run's state.</summary>
    ValueTask InsertWorkflowAsync(WorkflowRow workflow);

    /// <summary>Adds step rows to a workflow run (its steps at the start, a forEach step's items later).</summary>
    ValueTask InsertWorkflowStepsAsync(long runId, IReadOnlyList<WorkflowStepRow> steps);

    /// <summary>
    /// Holds until the transaction ends the wait rows of those of <paramref name="stepRunIds"/> that wait for
    /// an event, then the rows of <paramref name="workflowRunIds"/>, each in ascending id order (the lock
    /// order <see cref="Workflows.WorkflowLocks"/> states).
    /// </summary>
    ValueTask LockWorkflowsAsync(IReadOnlyList<long> stepRunIds, IReadOnlyList<long> workflowRunIds);

    /// <summary>A workflow run with its steps, its row held until the transaction ends; null when there is none.</summary>
    ValueTask<StoredWorkflow?> GetWorkflowForUpdateAsync(long runId);

    /// <summary>Sets a workflow run's state, error and end time.</summary>
    ValueTask UpdateWorkflowAsync(long runId, string state, string? error, DateTimeOffset? finishedAt);

    /// <summary>Sets the run that times a workflow run out (null: none).</summary>
    ValueTask SetWorkflowTimeoutAsync(long runId, long? timeoutRunId);

    /// <summary>Replaces the stored columns of these steps of the workflow run (matched by step id).</summary>
    ValueTask SaveWorkflowStepsAsync(long runId, IReadOnlyList<WorkflowStepRow> steps);

    /// <summary>Removes these steps' rows from the workflow run.</summary>
    ValueTask DeleteWorkflowStepsAsync(long runId, IReadOnlyList<string> stepIds);

    /// <summary>Sets the definition a workflow run goes on with, and its version.</summary>
    ValueTask SetWorkflowDefinitionAsync(long runId, int version, string definition);

    /// <summary>Version <paramref name="version"/> of workflow job <paramref name="jobName"/> (null: its latest); null when there is none.</summary>
    ValueTask<WorkflowVersionRow?> GetWorkflowVersionAsync(string jobName, int? version);

    /// <summary>Stores a new version of a workflow job's definition.</summary>
    ValueTask InsertWorkflowVersionAsync(WorkflowVersionRow version);

    /// <summary>
    /// Serializes publishing against a wait's look-back: a publish takes it shared before it reads the
    /// open waits, a look-back exclusive before it reads the events, each until its transaction ends,
    /// so of two that overlap one always sees the other's write. Nothing to do where transactions are
    /// serial already (SQLite's one writer, the in-memory driver).
    /// </summary>
    ValueTask LockEventWaitsAsync(bool exclusive);

    /// <summary>Stores a wait.</summary>
    ValueTask InsertEventWaitAsync(EventWaitRow wait);

    /// <summary>The waits of namespace <paramref name="ns"/> that have taken no event yet.</summary>
    ValueTask<IReadOnlyList<EventWaitRow>> ListOpenEventWaitsAsync(string ns);

    /// <summary>The wait of run <paramref name="runId"/>, its row held until the transaction ends; null when there is none.</summary>
    ValueTask<EventWaitRow?> GetEventWaitForUpdateAsync(long runId);

    /// <summary>Gives the wait of run <paramref name="runId"/> its event, unless it has one; false when it had (or is gone).</summary>
    ValueTask<bool> TakeEventAsync(long runId, long eventId, string? data);

    /// <summary>Moves the wait of run <paramref name="runId"/> to run <paramref name="newRunId"/> (the step waits on in a new run).</summary>
    ValueTask MoveEventWaitAsync(long runId, long newRunId);

    /// <summary>Deletes the wait of run <paramref name="runId"/>, if any.</summary>
    ValueTask DeleteEventWaitAsync(long runId);

    /// <summary>Up to <paramref name="limit"/> events published at or after <paramref name="since"/> with an id above <paramref name="afterId"/>, by id.</summary>
    ValueTask<IReadOnlyList<(long Id, Events.EventRequest Request)>> ListEventsSinceAsync(DateTimeOffset since, long afterId, int limit);

    /// <summary>
    /// Ends a queued run in <paramref name="state"/> with <paramref name="output"/>; false when it is not
    /// queued, or (PostgreSQL) its row is held by another transaction (being claimed or ended), which is
    /// skipped rather than waited for.
    /// </summary>
    ValueTask<bool> FinishQueuedRunAsync(long runId, RunState state, string? output, DateTimeOffset at);

    /// <summary>A subscription, its row held until the transaction ends; null when there is none.</summary>
    ValueTask<Subscription?> GetSubscriptionForUpdateAsync(string name);

    /// <summary>Creates or replaces a subscription.</summary>
    ValueTask UpsertSubscriptionAsync(Subscription subscription, DateTimeOffset now);

    /// <summary>Deletes a subscription; false when there is none.</summary>
    ValueTask<bool> DeleteSubscriptionAsync(string name);

    /// <summary>The names of the subscriptions a job's completion triggers own.</summary>
    ValueTask<IReadOnlyList<string>> ListOwnedSubscriptionNamesAsync(string ownerJob);

    /// <summary>A webhook's stored definition (JSON), its row held until the transaction ends; null when there is none.</summary>
    ValueTask<string?> GetWebhookDefinitionForUpdateAsync(string name);

    /// <summary>Creates or replaces a webhook's definition.</summary>
    ValueTask UpsertWebhookAsync(string name, string definition, DateTimeOffset now);

    /// <summary>Deletes a webhook and the delivery ids kept for it; false when there is none.</summary>
    ValueTask<bool> DeleteWebhookAsync(string name);

    /// <summary>Stores a new API key; false when a key of that name exists.</summary>
    ValueTask<bool> InsertApiKeyAsync(StoredApiKey key);

    /// <summary>Deletes the API key of that name and returns it as it was; null when there is none.</summary>
    ValueTask<Access.ApiKey?> DeleteApiKeyAsync(string name);

    /// <summary>Records that the key with this id was used at <paramref name="at"/>.</summary>
    ValueTask TouchApiKeyAsync(string id, DateTimeOffset at);

    /// <summary>Creates or replaces a secret's encrypted value; true when it existed before.</summary>
    ValueTask<bool> UpsertSecretAsync(StoredSecret secret);

    /// <summary>Deletes a secret; false when there is none.</summary>
    ValueTask<bool> DeleteSecretAsync(string name);

    /// <summary>What the configuration declared at the last start.</summary>
    ValueTask<IReadOnlyList<DeclaredName>> ListDeclaredAsync();

    /// <summary>Replaces what the configuration declared with <paramref name="names"/>.</summary>
    ValueTask ReplaceDeclaredAsync(IReadOnlyList<DeclaredName> names);

    /// <summary>The states of the job's latest runs that ended succeeded or dead, newest first, at most <paramref name="count"/>.</summary>
    ValueTask<IReadOnlyList<Model.RunState>> ListLatestOutcomesAsync(string jobName, int count);

    /// <summary>The active subscriptions, ordered by name.</summary>
    ValueTask<IReadOnlyList<Subscription>> ListActiveSubscriptionsAsync();

    /// <summary>The id of the event stored with this idempotency key; null when there is none.</summary>
    ValueTask<long?> FindEventByIdempotencyKeyAsync(string key);

    /// <summary>The runs an event caused, oldest first.</summary>
    ValueTask<IReadOnlyList<EnqueueResult>> ListRunsOfEventAsync(long eventId);

    /// <summary>Stores an event; returns its id.</summary>
    ValueTask<long> InsertEventAsync(EventRequest request, DateTimeOffset publishedAt);

    /// <summary>An event with its status, the event and its runs held until the transaction ends; null when there is none.</summary>
    ValueTask<StoredEvent?> GetEventForUpdateAsync(long eventId);

    /// <summary>Marks the event cancelled.</summary>
    ValueTask MarkEventCancelledAsync(long eventId);

    /// <summary>Records that routing the event failed for some subscription: its status becomes failed.</summary>
    ValueTask MarkEventRoutingFailedAsync(long eventId);

    /// <summary>
    /// Moves the trigger's next fire time from <paramref name="expected"/> to <paramref name="next"/>
    /// and records <paramref name="firedAt"/>, only if it still is <paramref name="expected"/>;
    /// returns the trigger's job, or null when it had moved on. Across nodes, the second of two
    /// such moves waits for the first and then finds nothing to move.
    /// </summary>
    ValueTask<string?> AdvanceTriggerAsync(long triggerId, DateTimeOffset expected, DateTimeOffset? next, DateTimeOffset firedAt);

    /// <summary>The job a trigger belongs to; null when the trigger is gone.</summary>
    ValueTask<string?> GetTriggerJobAsync(long triggerId);

    /// <summary>Records a file's size and mtime for a file-watch trigger; false when the state already said so.</summary>
    ValueTask<bool> RememberFileAsync(long triggerId, FileSnapshot file);

    /// <summary>Forgets a path of a file-watch trigger; false when it was not known.</summary>
    ValueTask<bool> ForgetFileAsync(long triggerId, string path);

    /// <summary>Stores a poll trigger's state.</summary>
    ValueTask SavePollStateAsync(long triggerId, PollState state);

    /// <summary>Records the node and that it was seen at <paramref name="now"/>.</summary>
    ValueTask SaveNodeAsync(NodeInfo node, DateTimeOffset now);

    /// <summary>Forgets nodes last seen before <paramref name="before"/>; returns how many.</summary>
    ValueTask<int> ForgetNodesSeenBeforeAsync(DateTimeOffset before);

    /// <summary>Forgets one node.</summary>
    ValueTask ForgetNodeAsync(string nodeId);

    /// <summary>
    /// Takes the lease row <paramref name="name"/> for <paramref name="node"/> until
    /// <paramref name="until"/> when nobody holds it, <paramref name="node"/> does, or the holder's
    /// lease ended by <paramref name="now"/>; returns whether it did and who held it before. Atomic
    /// across nodes: of two racing for an expired lease, one gets it.
    /// </summary>
    ValueTask<(bool Taken, string? Previous)> TakeLeaseAsync(string name, string node, DateTimeOffset now, DateTimeOffset until);

    /// <summary>Gives up the lease row <paramref name="name"/> if <paramref name="node"/> holds it; other nodes hear of it at once.</summary>
    ValueTask<bool> ReleaseLeaseAsync(string name, string node);

    /// <summary>The triggers of one source (<see cref="TriggerSources"/>, e.g. webhook) with their job's paused flag, ordered by job name.</summary>
    ValueTask<IReadOnlyList<TriggerBinding>> ListTriggersAsync(string source);

    /// <summary>
    /// Forgets the hook's delivery ids whose window started before <paramref name="forgetBefore"/>, then
    /// records <paramref name="deliveryId"/> with <paramref name="windowStart"/> (stored as its
    /// <c>received_at</c>: the time its replay window is counted from, which the rule may set later than
    /// the receipt); false when it was already recorded (a repeated delivery). Atomic across nodes: of
    /// two transactions recording the same id, one gets false.
    /// </summary>
    ValueTask<bool> RememberDeliveryIdAsync(string hook, string deliveryId, DateTimeOffset windowStart, DateTimeOffset forgetBefore);
}

/// <summary>A stored trigger as rules see it: its job, its definition, and whether the job is paused.</summary>
internal sealed record TriggerBinding(string JobName, TriggerSpec Spec, bool JobPaused);
