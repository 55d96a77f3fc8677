using Kairos.Engine.Lifecycle;
using Kairos.Engine.Scheduling;
using Kairos.Engine.Triggers;
using Kairos.Model;

namespace Kairos.Storage;

/// <summary>
/// The rules of <see cref="Engine.Lifecycle"/> as calls on a store, each in one transaction of its
/// own: the shape callers had when every store wrote these rules itself.
/// </summary>
internal static class StoreRules
{
    /// <summary>Queues again (dead once their attempts are used up) the running runs whose lease expired before <paramref name="now"/>.</summary>
    public static Task<int> RescueExpiredAsync(this IKairosStore store, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => InterruptedRuns.RescueExpiredAsync(tx, now), cancellationToken);

    /// <summary>Queues again (or buries, when attempts are used up) runs this owner gives up, e.g. at shutdown.</summary>
    public static Task<int> ReleaseAsync(this IKairosStore store, string owner, IReadOnlyCollection<long> runIds, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => InterruptedRuns.ReleaseAsync(tx, owner, runIds, reason, now), cancellationToken);

    /// <summary>Queues again, as before their claim, runs this owner claimed ahead of their due time and gives up before they began.</summary>
    public static Task<int> UnclaimAsync(this IKairosStore store, string owner, IReadOnlyCollection<long> runIds, string reason, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => InterruptedRuns.UnclaimAsync(tx, owner, runIds, reason, now), cancellationToken);

    /// <summary>
    /// Cancels one run in a transaction of its own: the rows of its workflow, when it is a step, are taken first
    /// (<see cref="Workflows.WorkflowLocks"/>). Not in <see cref="RunControl.CancelAsync"/>, which a workflow
    /// ending calls for its other steps while it already holds its own row.
    /// </summary>
    public static Task<CancelResult> CancelRunAsync(this IKairosStore store, long runId, DateTimeOffset now, CancellationToken cancellationToken, string? reason = null) =>
        store.WriteAsync(async tx =>
        {
            await Workflows.WorkflowLocks.BeforeCancellingAsync(tx, runId).ConfigureAwait(false);
            return await RunControl.CancelAsync(tx, runId, now, reason).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Queues a finished run again with <paramref name="attempts"/> more attempts; null when there is no such run.</summary>
    public static Task<RunRecord?> RetryRunAsync(this IKairosStore store, long runId, int attempts, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => RunControl.RetryAsync(tx, runId, attempts, now), cancellationToken);

    /// <summary>Fires a time trigger (see <see cref="TriggerFiring"/>); false when the tick had already moved on.</summary>
    public static Task<bool> FireTriggerAsync(this IKairosStore store, TriggerFire fire, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => TriggerFiring.FireAsync(tx, fire), cancellationToken);

    /// <summary>Records a file change and enqueues its run, unless another node recorded it first (see <see cref="TriggerStateRecording"/>).</summary>
    public static Task<EnqueueResult?> RecordFileChangeAsync(this IKairosStore store, long triggerId, string path, FileSnapshot? current, string? previousPath,
        RunRequest? run, DateTimeOffset now, CancellationToken cancellationToken, string? publish = null) =>
        store.WriteAsync(tx => TriggerStateRecording.RecordFileChangeAsync(tx, triggerId, path, current, previousPath, run, now, publish), cancellationToken);

    /// <summary>Stores a poll's outcome and enqueues its run (see <see cref="TriggerStateRecording"/>).</summary>
    public static Task<EnqueueResult?> RecordPollAsync(this IKairosStore store, long triggerId, PollState state, RunRequest? run, string? failure,
        DateTimeOffset now, CancellationToken cancellationToken, string? publish = null) =>
        store.WriteAsync(tx => TriggerStateRecording.RecordPollAsync(tx, triggerId, state, run, failure, now, publish), cancellationToken);

    /// <summary>Cancels a pending event (no run started yet) and its queued runs; returns how many (see <see cref="Events.Routing.EventCancellation"/>).</summary>
    public static Task<int> CancelEventAsync(this IKairosStore store, long eventId, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Events.Routing.EventCancellation.CancelAsync(tx, eventId, now), cancellationToken);

    /// <summary>Creates or replaces a job and reconciles its triggers (see <see cref="Engine.Definitions.JobDefinitions"/>).</summary>
    public static Task SaveJobAsync(this IKairosStore store, JobDefinition job, IReadOnlyList<TriggerRegistration> triggers, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Engine.Definitions.JobDefinitions.SaveAsync(tx, job, triggers, now), cancellationToken);

    /// <summary>Deletes what the configuration no longer declares (see <see cref="Engine.Definitions.DeclaredDefinitions"/>).</summary>
    public static Task<IReadOnlyList<Drivers.DeclaredName>> ApplyDeclaredAsync(this IKairosStore store, IReadOnlyList<Drivers.DeclaredName> declared, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Engine.Definitions.DeclaredDefinitions.ApplyAsync(tx, declared, now), cancellationToken);

    /// <summary>Deletes a job (see <see cref="Engine.Definitions.JobDefinitions.DeleteAsync"/>).</summary>
    public static Task<(bool Deleted, int CancelRequested)> DeleteJobAsync(this IKairosStore store, string name, bool cancelRuns, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Engine.Definitions.JobDefinitions.DeleteAsync(tx, name, cancelRuns, now), cancellationToken);

    /// <summary>Pauses or resumes a job; false when there is no such job.</summary>
    public static Task<bool> SetJobPausedAsync(this IKairosStore store, string name, bool paused, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Engine.Definitions.JobDefinitions.SetPausedAsync(tx, name, paused, now), cancellationToken);

    public static Task SaveSubscriptionAsync(this IKairosStore store, Events.Subscription subscription, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Engine.Definitions.SubscriptionDefinitions.SaveAsync(tx, subscription, now), cancellationToken);

    /// <summary>Makes the subscriptions owned by a job's completion triggers exactly <paramref name="subscriptions"/>.</summary>
    public static Task ReplaceOwnedSubscriptionsAsync(this IKairosStore store, string ownerJob, IReadOnlyList<Events.Subscription> subscriptions, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Engine.Definitions.SubscriptionDefinitions.ReplaceOwnedAsync(tx, ownerJob, subscriptions, now), cancellationToken);

    public static Task<bool> DeleteSubscriptionAsync(this IKairosStore store, string name, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Engine.Definitions.SubscriptionDefinitions.DeleteAsync(tx, name, null, now), cancellationToken);

    /// <summary>Saves a webhook, its literal secret (if any) sealed by <paramref name="seal"/> (the engine's; null in driver tests: stored as given).</summary>
    public static Task SaveWebhookAsync(this IKairosStore store, Webhooks.WebhookDefinition hook, DateTimeOffset now, CancellationToken cancellationToken,
        Secrets.WebhookSecretSeal? seal = null) =>
        store.WriteAsync(tx => Engine.Definitions.WebhookDefinitions.SaveAsync(tx, hook, now, seal), cancellationToken);

    public static Task<bool> DeleteWebhookAsync(this IKairosStore store, string name, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Engine.Definitions.WebhookDefinitions.DeleteAsync(tx, name, now), cancellationToken);

    /// <summary>Enqueues several runs in one transaction (see <see cref="Engine.Enqueueing.RunEnqueuer.EnqueueManyAsync"/>); an unknown job refuses them all.</summary>
    public static Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(this IKairosStore store, IReadOnlyList<RunRequest> requests, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Engine.Enqueueing.RunEnqueuer.EnqueueManyAsync(tx, requests.Select(r => (r, now)).ToList()), cancellationToken);
}
