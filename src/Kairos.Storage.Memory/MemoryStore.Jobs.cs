using System.Text.Json;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Memory;

internal sealed partial class MemoryStore
{
    public Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken) =>
        Read(state => state.Jobs.TryGetValue(name, out var row) ? ReadJob(row) : null, cancellationToken);

    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredJob>>(state => state.Jobs.Values.Select(ReadJob).ToList(), cancellationToken);

    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredJob>>(state => state.Jobs
            .Where(j => (query.After is null || string.CompareOrdinal(j.Key, query.After) > 0) && Kairos.Access.Namespaces.Contains(query.Namespace, j.Key))
            .Where(j => (query.NameContains is null || j.Key.Contains(query.NameContains, StringComparison.OrdinalIgnoreCase))
                && (query.Paused is null || j.Value.Settings.Paused == query.Paused) && (query.ExecutorKind is null || j.Value.Settings.ExecutorKind == query.ExecutorKind)
                && (query.LastRunState is null || state.Runs.Values.LastOrDefault(r => r.Run.JobName == j.Key)?.Run.State == query.LastRunState))
            .OrderBy(j => j.Key, StringComparer.Ordinal)
            .Take(Math.Clamp(query.Limit, 1, 10_000))
            .Select(j => ReadJob(j.Value))
            .ToList(), cancellationToken);

    private sealed partial class Transaction
    {
        // One writer at a time: every read in a write is already exclusive.
        public ValueTask<string?> GetJobDefinitionForUpdateAsync(string jobName) => GetJobDefinitionAsync(jobName);

        public ValueTask<string?> GetJobDefinitionAsync(string jobName) =>
            ValueTask.FromResult(State.Jobs.GetValueOrDefault(jobName)?.Definition);

        public ValueTask UpsertJobAsync(JobDefinition job, string definition, DateTimeOffset now)
        {
            var settings = new JobSettings(job.Queue, job.Executor.Kind, job.Priority, job.Retry.MaxAttempts, job.Concurrency.MaxInstances,
                job.Concurrency.OnOverlap == OverlapPolicy.Skip, job.Paused)
            {
                Flow = Engine.Flow.FlowKeys.Stored(job),
            };
            var version = (State.Jobs.GetValueOrDefault(job.Name)?.Version ?? 0) + 1;
            State = State with { Jobs = State.Jobs.SetItem(job.Name, new JobRow(definition, settings, version, Stored(now)) { CancelOn = Engine.Flow.CancelOnEvents.Stored(job) }) };
            return ValueTask.CompletedTask;
        }

        // Its queued runs are held, or no longer held, with it: held is decided from the job when asked.
        public ValueTask<bool> SetJobPausedAsync(string jobName, bool paused, DateTimeOffset now)
        {
            if (!State.Jobs.TryGetValue(jobName, out var row))
            {
                return ValueTask.FromResult(false);
            }
            var changed = row with { Settings = row.Settings with { Paused = paused }, Version = row.Version + 1, UpdatedAt = Stored(now) };
            State = State with { Jobs = State.Jobs.SetItem(jobName, changed) };
            return ValueTask.FromResult(true);
        }

        public ValueTask<IReadOnlyList<string>> ListTriggerKeysAsync(string jobName) =>
            ValueTask.FromResult<IReadOnlyList<string>>(State.Triggers.Values.Where(t => t.JobName == jobName).Select(t => t.Key).ToList());

        // A trigger's poll and file state go with it.
        public ValueTask DeleteTriggerAsync(string jobName, string key)
        {
            foreach (var gone in State.Triggers.Values.Where(t => t.JobName == jobName && t.Key == key).ToList())
            {
                State = State with { Triggers = State.Triggers.Remove(gone.Id), Polls = State.Polls.Remove(gone.Id), Files = State.Files.Remove(gone.Id) };
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask InsertTriggerAsync(string jobName, TriggerRegistration trigger, DateTimeOffset now)
        {
            var id = State.LastTriggerId + 1;
            var state = new TriggerState(id, jobName, trigger.Key, StoredSpec(trigger.Spec), Stored(trigger.InitialNextFireAt), null, Stored(now));
            State = State with { LastTriggerId = id, Triggers = State.Triggers.Add(id, state) };
            return ValueTask.CompletedTask;
        }
    }

    private static StoredJob ReadJob(JobRow row)
    {
        var definition = JsonSerializer.Deserialize<JobDefinition>(row.Definition, KairosJson.Options)!;
        // The paused flag is the truth: pause/resume change it without rewriting the definition.
        return new StoredJob(definition with { Paused = row.Settings.Paused }, row.Version, row.UpdatedAt);
    }
}
