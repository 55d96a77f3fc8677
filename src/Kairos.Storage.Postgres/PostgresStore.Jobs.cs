using System.Text.Json;
using Kairos.Model;
using Npgsql;

namespace Kairos.Storage.Postgres;

internal sealed partial class PostgresStore
{
    public Task SaveJobAsync(JobDefinition job, IReadOnlyList<TriggerRegistration> triggers, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            var definition = JsonSerializer.Serialize(job, KairosJson.Options);
            // FOR UPDATE: two nodes saving the same job serialize here, so "created" vs "updated" is decided once.
            var previous = await scope.Scalar("SELECT definition FROM jobs WHERE name = @name FOR UPDATE", ("name", job.Name)) as string;
            await scope.Execute(
                """
                INSERT INTO jobs (name, definition, queue, executor_kind, priority, max_attempts, max_instances, skip_on_overlap, paused, version, updated_at)
                VALUES (@name, @definition, @queue, @kind, @priority, @maxAttempts, @maxInstances::bigint, @skip, @paused, 1, @now)
                ON CONFLICT (name) DO UPDATE SET
                    definition = excluded.definition, queue = excluded.queue, executor_kind = excluded.executor_kind,
                    priority = excluded.priority, max_attempts = excluded.max_attempts, max_instances = excluded.max_instances,
                    skip_on_overlap = excluded.skip_on_overlap, paused = excluded.paused,
                    version = jobs.version + 1, updated_at = excluded.updated_at
                """,
                ("name", job.Name), ("definition", definition), ("queue", job.Queue), ("kind", job.Executor.Kind),
                ("priority", (long)job.Priority), ("maxAttempts", (long)job.Retry.MaxAttempts), ("maxInstances", (long?)job.Concurrency.MaxInstances),
                ("skip", job.Concurrency.OnOverlap == OverlapPolicy.Skip), ("paused", job.Paused), ("now", Ms(now)));

            var storedKeys = await scope.Query("SELECT key FROM triggers WHERE job_name = @name", r => r.GetString(0), ("name", job.Name));
            var wanted = triggers.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var key in storedKeys.Where(k => !wanted.Contains(k)))
            {
                foreach (var table in new[] { "poll_state", "file_state" })
                {
                    await scope.Execute($"DELETE FROM {table} WHERE trigger_id IN (SELECT id FROM triggers WHERE job_name = @name AND key = @key)", ("name", job.Name), ("key", key));
                }
                await scope.Execute("DELETE FROM triggers WHERE job_name = @name AND key = @key", ("name", job.Name), ("key", key));
            }
            foreach (var trigger in triggers.Where(t => !storedKeys.Contains(t.Key)))
            {
                await scope.Execute(
                    "INSERT INTO triggers (job_name, key, spec, next_fire_at, created_at) VALUES (@name, @key, @spec, @next::bigint, @now)",
                    ("name", job.Name), ("key", trigger.Key), ("spec", JsonSerializer.Serialize(trigger.Spec, KairosJson.Options)),
                    ("next", Ms(trigger.InitialNextFireAt)), ("now", Ms(now)));
            }
            if (previous != definition)
            {
                await Journal(scope, now, previous is null ? "job.created" : "job.updated", job.Name, null, null, null);
            }
            scope.Announce(StoreChanges.Jobs | StoreChanges.Triggers | StoreChanges.Runs);
            return true;
        }, cancellationToken);

    public Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken) =>
        Read(async scope => (StoredJob?)(await scope.Query("SELECT definition, paused, version, updated_at FROM jobs WHERE name = @name", ReadJob, ("name", name))).FirstOrDefault(),
            cancellationToken);

    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredJob>>(async scope => await scope.Query("SELECT definition, paused, version, updated_at FROM jobs ORDER BY name", ReadJob),
            cancellationToken);

    public Task<bool> SetJobPausedAsync(string name, bool paused, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            var changed = await scope.Execute(
                "UPDATE jobs SET paused = @paused, version = version + 1, updated_at = @now WHERE name = @name",
                ("paused", paused), ("now", Ms(now)), ("name", name));
            if (changed == 0)
            {
                return false;
            }
            await Journal(scope, now, paused ? "job.paused" : "job.resumed", name, null, null, null);
            scope.Announce(StoreChanges.Jobs | (paused ? StoreChanges.None : StoreChanges.Runs)); // Resumed: its queued runs can be claimed.
            return true;
        }, cancellationToken);

    private static StoredJob ReadJob(NpgsqlDataReader r)
    {
        var definition = JsonSerializer.Deserialize<JobDefinition>(r.GetString(0), KairosJson.Options)!;
        // The paused column is the truth: pause/resume change it without rewriting the definition.
        return new StoredJob(definition with { Paused = r.GetBoolean(1) }, r.GetInt64(2), Time(r.GetInt64(3)));
    }
}
