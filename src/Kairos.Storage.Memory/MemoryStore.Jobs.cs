using System.Text.Json;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Memory;

internal sealed partial class MemoryStore
{
    public Task SaveJobAsync(JobDefinition job, IReadOnlyList<TriggerRegistration> triggers, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            var definition = JsonSerializer.Serialize(job, KairosJson.Options);
            var previous = tx.State.Jobs.GetValueOrDefault(job.Name);
            var settings = new JobSettings(job.Queue, job.Executor.Kind, job.Priority, job.Retry.MaxAttempts, job.Concurrency.MaxInstances,
                job.Concurrency.OnOverlap == OverlapPolicy.Skip, job.Paused);
            tx.State = tx.State with { Jobs = tx.State.Jobs.SetItem(job.Name, new JobRow(definition, settings, (previous?.Version ?? 0) + 1, Stored(now))) };

            var stored = tx.State.Triggers.Values.Where(t => t.JobName == job.Name).ToList();
            var wanted = triggers.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in stored.Where(t => !wanted.Contains(t.Key)))
            {
                // A trigger's poll and file state go with it.
                tx.State = tx.State with
                {
                    Triggers = tx.State.Triggers.Remove(gone.Id),
                    Polls = tx.State.Polls.Remove(gone.Id),
                    Files = tx.State.Files.Remove(gone.Id),
                };
            }
            var storedKeys = stored.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var trigger in triggers.Where(t => !storedKeys.Contains(t.Key)))
            {
                var id = tx.State.LastTriggerId + 1;
                var state = new TriggerState(id, job.Name, trigger.Key, StoredSpec(trigger.Spec), Stored(trigger.InitialNextFireAt), null, Stored(now));
                tx.State = tx.State with { LastTriggerId = id, Triggers = tx.State.Triggers.Add(id, state) };
            }
            if (previous?.Definition != definition)
            {
                tx.Journal(now, previous is null ? "job.created" : "job.updated", job.Name, null, null, null);
            }
            return true;
        });

    public Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken) =>
        Read(state => state.Jobs.TryGetValue(name, out var row) ? ReadJob(row) : null, cancellationToken);

    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredJob>>(state => state.Jobs.Values.Select(ReadJob).ToList(), cancellationToken);

    public Task<bool> SetJobPausedAsync(string name, bool paused, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            if (!tx.State.Jobs.TryGetValue(name, out var row))
            {
                return false;
            }
            // Its queued runs are held, or no longer held, with it: held is decided from the job when asked.
            var changed = row with { Settings = row.Settings with { Paused = paused }, Version = row.Version + 1, UpdatedAt = Stored(now) };
            tx.State = tx.State with { Jobs = tx.State.Jobs.SetItem(name, changed) };
            tx.Journal(now, paused ? "job.paused" : "job.resumed", name, null, null, null);
            return true;
        });

    private static StoredJob ReadJob(JobRow row)
    {
        var definition = JsonSerializer.Deserialize<JobDefinition>(row.Definition, KairosJson.Options)!;
        // The paused flag is the truth: pause/resume change it without rewriting the definition.
        return new StoredJob(definition with { Paused = row.Settings.Paused }, row.Version, row.UpdatedAt);
    }
}
