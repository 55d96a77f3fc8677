using System.Text.Json;
using Kairos.Engine.Enqueueing;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Triggers;

/// <summary>
/// What file-watch and poll triggers remember between runs, recorded with the run it causes in one
/// transaction, so a restart neither loses a change nor fires it twice. A trigger that publishes
/// (<see cref="TriggerSpec.Publish"/>) stores its event, routed to subscriptions, in that same transaction.
/// </summary>
internal static class TriggerStateRecording
{
    /// <summary>
    /// Records what is now known of one path (<paramref name="current"/> null: it is gone; a rename also
    /// drops <paramref name="previousPath"/>) and enqueues <paramref name="run"/> if given. The state is
    /// shared by every node watching the trigger: when it already says so (another node recorded this
    /// change first), nothing is enqueued and null is returned.
    /// </summary>
    public static async ValueTask<EnqueueResult?> RecordFileChangeAsync(
        IDriverTransaction tx, long triggerId, string path, FileSnapshot? current, string? previousPath, RunRequest? run, DateTimeOffset now, string? publish = null)
    {
        var changed = false;
        if (previousPath is not null)
        {
            changed |= await tx.ForgetFileAsync(triggerId, previousPath).ConfigureAwait(false);
        }
        changed |= current is null
            ? await tx.ForgetFileAsync(triggerId, path).ConfigureAwait(false)
            : await tx.RememberFileAsync(triggerId, current with { Path = path }).ConfigureAwait(false);
        return run is null || !changed ? null : await EnqueueAndPublishAsync(tx, run, now, publish).ConfigureAwait(false);
    }

    /// <summary>Stores a poll's outcome and enqueues <paramref name="run"/> if given; a failure is journaled.</summary>
    public static async ValueTask<EnqueueResult?> RecordPollAsync(IDriverTransaction tx, long triggerId, PollState state, RunRequest? run, string? failure, DateTimeOffset now, string? publish = null)
    {
        await tx.SavePollStateAsync(triggerId, state).ConfigureAwait(false);
        if (failure is not null)
        {
            await tx.AppendJournalAsync(now, "poll.failed", await tx.GetTriggerJobAsync(triggerId).ConfigureAwait(false), null, triggerId,
                JsonSerializer.Serialize(new { error = failure, consecutiveFailures = state.Failures }, KairosJson.Options)).ConfigureAwait(false);
        }
        return run is null ? null : await EnqueueAndPublishAsync(tx, run, now, publish).ConfigureAwait(false);
    }

    /// <summary>Enqueues the fire's run and publishes <paramref name="publish"/> (if any) in the job's namespace with the run's payload as data.</summary>
    private static async ValueTask<EnqueueResult> EnqueueAndPublishAsync(IDriverTransaction tx, RunRequest run, DateTimeOffset now, string? publish)
    {
        var result = await RunEnqueuer.EnqueueAsync(tx, run, now).ConfigureAwait(false);
        if (publish is not null)
        {
            await Events.Routing.EventRouter.PublishAsync(tx, new Events.EventRequest(Access.Namespaces.Qualify(Access.Namespaces.Of(run.JobName), publish), run.Source)
            {
                Data = run.Payload,
            }, now).ConfigureAwait(false);
        }
        return result;
    }
}
