using System.Text.Json;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Definitions;

/// <summary>
/// Saving a job and pausing it, for every driver. A save replaces the job's row (its version
/// grows) and reconciles its triggers by key: a trigger whose definition is unchanged keeps its
/// fire state (so a restart neither re-fires a "now" trigger nor forgets a cron's next time), a
/// trigger no longer declared goes with its file and poll state, a new one starts afresh. The
/// journal says job.created or job.updated only when the definition changed.
/// </summary>
internal static class JobDefinitions
{
    public static async ValueTask<bool> SaveAsync(IDriverTransaction tx, JobDefinition job, IReadOnlyList<TriggerRegistration> triggers, DateTimeOffset now)
    {
        var definition = JsonSerializer.Serialize(job, KairosJson.Options);
        var previous = await tx.GetJobDefinitionForUpdateAsync(job.Name).ConfigureAwait(false);
        await tx.UpsertJobAsync(job, definition, now).ConfigureAwait(false);
        var storedKeys = (await tx.ListTriggerKeysAsync(job.Name).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var wanted = triggers.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var key in storedKeys.Where(k => !wanted.Contains(k)))
        {
            await tx.DeleteTriggerAsync(job.Name, key).ConfigureAwait(false);
        }
        foreach (var trigger in triggers.Where(t => !storedKeys.Contains(t.Key)))
        {
            await tx.InsertTriggerAsync(job.Name, trigger, now).ConfigureAwait(false);
        }
        if (previous != definition)
        {
            await tx.AppendJournalAsync(now, previous is null ? "job.created" : "job.updated", job.Name, null, null, null).ConfigureAwait(false);
            if (job.Executor is WorkflowExecutorSpec workflow)
            {
                await Workflows.WorkflowVersions.RecordAsync(tx, job.Name, workflow, now).ConfigureAwait(false);
            }
        }
        return true;
    }

    /// <summary>
    /// Deletes the job with its triggers (and their file and poll state) and the subscriptions its
    /// completion triggers own; its runs stay as history. A job with queued or running runs is refused
    /// unless <paramref name="cancelRuns"/>: then its queued runs are cancelled and its running ones
    /// asked to stop, in the same transaction. Returns the runs asked to stop; false when there is no such job.
    /// </summary>
    public static async ValueTask<(bool Deleted, int CancelRequested)> DeleteAsync(IDriverTransaction tx, string name, bool cancelRuns, DateTimeOffset now)
    {
        if (await tx.GetJobDefinitionForUpdateAsync(name).ConfigureAwait(false) is null)
        {
            return (false, 0);
        }
        var active = await tx.ListActiveRunIdsAsync(name).ConfigureAwait(false);
        if (active.Count > 0 && !cancelRuns)
        {
            throw new KairosConflictException(
                $"job '{name}' has {active.Count} queued or running run(s): wait for them, cancel them, or delete it with cancelRuns (kairos jobs delete --cancel-runs)");
        }
        var stopping = 0;
        foreach (var runId in active)
        {
            var (result, _) = await Lifecycle.RunControl.CancelOneAsync(tx, runId, now, $"job '{name}' was deleted").ConfigureAwait(false);
            stopping += result == CancelResult.CancelRequested ? 1 : 0;
        }
        foreach (var key in await tx.ListTriggerKeysAsync(name).ConfigureAwait(false))
        {
            await tx.DeleteTriggerAsync(name, key).ConfigureAwait(false);
        }
        await SubscriptionDefinitions.ReplaceOwnedAsync(tx, name, [], now).ConfigureAwait(false);
        await tx.DeleteJobAsync(name).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, "job.deleted", name, null, null,
            JsonSerializer.Serialize(new { cancelledRuns = active.Count }, KairosJson.Options)).ConfigureAwait(false);
        return (true, stopping);
    }

    /// <summary>Pauses or resumes the job (its queued runs are held or released with it); false when there is no such job.</summary>
    public static async ValueTask<bool> SetPausedAsync(IDriverTransaction tx, string name, bool paused, DateTimeOffset now)
    {
        if (!await tx.SetJobPausedAsync(name, paused, now).ConfigureAwait(false))
        {
            return false;
        }
        await tx.AppendJournalAsync(now, paused ? "job.paused" : "job.resumed", name, null, null, null).ConfigureAwait(false);
        return true;
    }
}
