using System.Text.Json;
using Kairos.Model;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    public Task SaveJobAsync(JobDefinition job, IReadOnlyList<TriggerRegistration> triggers, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            var definition = JsonSerializer.Serialize(job, KairosJson.Options);
            var previous = scope.Scalar("SELECT definition FROM jobs WHERE name = @name", ("@name", job.Name)) as string;
            scope.Execute(
                """
                INSERT INTO jobs (name, definition, queue, executor_kind, priority, max_attempts, max_instances, skip_on_overlap, paused, version, updated_at)
                VALUES (@name, @definition, @queue, @kind, @priority, @maxAttempts, @maxInstances, @skip, @paused, 1, @now)
                ON CONFLICT (name) DO UPDATE SET
                    definition = excluded.definition, queue = excluded.queue, executor_kind = excluded.executor_kind,
                    priority = excluded.priority, max_attempts = excluded.max_attempts, max_instances = excluded.max_instances,
                    skip_on_overlap = excluded.skip_on_overlap, paused = excluded.paused,
                    version = jobs.version + 1, updated_at = excluded.updated_at
                """,
                ("@name", job.Name), ("@definition", definition), ("@queue", job.Queue), ("@kind", job.Executor.Kind),
                ("@priority", job.Priority), ("@maxAttempts", job.Retry.MaxAttempts), ("@maxInstances", job.Concurrency.MaxInstances),
                ("@skip", job.Concurrency.OnOverlap == OverlapPolicy.Skip ? 1 : 0), ("@paused", job.Paused ? 1 : 0), ("@now", Ms(now)));

            var storedKeys = SqliteRows.ReadAll(
                scope.Command("SELECT key FROM triggers WHERE job_name = @name", ("@name", job.Name)), r => r.GetString(0));
            var wanted = triggers.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var key in storedKeys.Where(k => !wanted.Contains(k)))
            {
                // A trigger's poll and file state go with it: SQLite may give the next trigger the same id.
                foreach (var table in new[] { "poll_state", "file_state" })
                {
                    scope.Execute($"DELETE FROM {table} WHERE trigger_id IN (SELECT id FROM triggers WHERE job_name = @name AND key = @key)", ("@name", job.Name), ("@key", key));
                }
                scope.Execute("DELETE FROM triggers WHERE job_name = @name AND key = @key", ("@name", job.Name), ("@key", key));
            }
            foreach (var trigger in triggers.Where(t => !storedKeys.Contains(t.Key)))
            {
                scope.Execute(
                    "INSERT INTO triggers (job_name, key, spec, next_fire_at, created_at) VALUES (@name, @key, @spec, @next, @now)",
                    ("@name", job.Name), ("@key", trigger.Key), ("@spec", JsonSerializer.Serialize(trigger.Spec, KairosJson.Options)),
                    ("@next", Ms(trigger.InitialNextFireAt)), ("@now", Ms(now)));
            }
            if (previous != definition)
            {
                Journal(scope, now, previous is null ? "job.created" : "job.updated", job.Name, null, null, null);
            }
            return true;
        });

    public Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT definition, paused, version, updated_at FROM jobs WHERE name = @name";
            command.Parameters.AddWithValue("@name", name);
            return SqliteRows.ReadAll(command, ReadJob).FirstOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredJob>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT definition, paused, version, updated_at FROM jobs ORDER BY name";
            return SqliteRows.ReadAll(command, ReadJob);
        }, cancellationToken);

    public Task<bool> SetJobPausedAsync(string name, bool paused, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            var changed = scope.Execute(
                "UPDATE jobs SET paused = @paused, version = version + 1, updated_at = @now WHERE name = @name",
                ("@paused", paused ? 1 : 0), ("@now", Ms(now)), ("@name", name));
            if (changed == 0)
            {
                return false;
            }
            Journal(scope, now, paused ? "job.paused" : "job.resumed", name, null, null, null);
            return true;
        });

    private static StoredJob ReadJob(SqliteDataReader r)
    {
        var definition = JsonSerializer.Deserialize<JobDefinition>(r.GetString(0), KairosJson.Options)!;
        // The paused column is the truth: pause/resume change it without rewriting the definition.
        return new StoredJob(definition with { Paused = r.GetInt64(1) != 0 }, r.GetInt64(2), Time(r.GetInt64(3)));
    }
}
