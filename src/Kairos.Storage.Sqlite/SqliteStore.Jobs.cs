using System.Text.Json;
using Kairos.Model;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

internal sealed partial class SqliteStore
{
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

    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredJob>>(connection =>
        {
            using var command = connection.CreateCommand();
            // Names are ASCII, so SQLite's BINARY order is the ordinal order; the primary key serves it.
            command.CommandText = $"""
                SELECT definition, paused, version, updated_at FROM jobs
                WHERE (@after IS NULL OR name > @after) AND {InNamespace("name")}
                  AND (@contains IS NULL OR instr(lower(name), lower(@contains)) > 0)
                  AND (@paused IS NULL OR paused = @paused) AND (@kind IS NULL OR executor_kind = @kind)
                  AND (@lastState IS NULL OR (SELECT r.state FROM runs r WHERE r.job_name = jobs.name ORDER BY r.id DESC LIMIT 1) = @lastState)
                ORDER BY name LIMIT @limit
                """;
            command.Parameters.AddWithValue("@after", (object?)query.After ?? DBNull.Value);
            command.Parameters.AddWithValue("@contains", (object?)query.NameContains ?? DBNull.Value);
            command.Parameters.AddWithValue("@paused", query.Paused is { } paused ? (paused ? 1 : 0) : DBNull.Value);
            command.Parameters.AddWithValue("@kind", (object?)query.ExecutorKind ?? DBNull.Value);
            command.Parameters.AddWithValue("@lastState", (object?)query.LastRunState?.ToWire() ?? DBNull.Value);
            command.Parameters.AddWithValue("@ns", (object?)Kairos.Access.Namespaces.Prefix(query.Namespace) ?? DBNull.Value);
            command.Parameters.AddWithValue("@limit", Math.Clamp(query.Limit, 1, 10_000));
            return SqliteRows.ReadAll(command, ReadJob);
        }, cancellationToken);

    /// <summary>The job's row and its trigger rows, for the rules of <see cref="Engine.Definitions.JobDefinitions"/>.</summary>
    private static void UpsertJob(SqliteWriteScope scope, JobDefinition job, string definition, DateTimeOffset now) =>
        scope.Execute(
            """
            INSERT INTO jobs (name, definition, queue, executor_kind, priority, max_attempts, max_instances, skip_on_overlap, paused, version, updated_at, flow, cancel_on)
            VALUES (@name, @definition, @queue, @kind, @priority, @maxAttempts, @maxInstances, @skip, @paused, 1, @now, @flow, @cancelOn)
            ON CONFLICT (name) DO UPDATE SET
                definition = excluded.definition, queue = excluded.queue, executor_kind = excluded.executor_kind,
                priority = excluded.priority, max_attempts = excluded.max_attempts, max_instances = excluded.max_instances,
                skip_on_overlap = excluded.skip_on_overlap, paused = excluded.paused, flow = excluded.flow, cancel_on = excluded.cancel_on,
                version = jobs.version + 1, updated_at = excluded.updated_at
            """,
            ("@name", job.Name), ("@definition", definition), ("@queue", job.Queue), ("@kind", job.Executor.Kind),
            ("@priority", job.Priority), ("@maxAttempts", job.Retry.MaxAttempts), ("@maxInstances", job.Concurrency.MaxInstances),
            ("@skip", job.Concurrency.OnOverlap == OverlapPolicy.Skip ? 1 : 0), ("@paused", job.Paused ? 1 : 0), ("@now", Ms(now)),
            ("@flow", Engine.Flow.FlowKeys.Stored(job)), ("@cancelOn", Engine.Flow.CancelOnEvents.Stored(job)));

    private static void DeleteTrigger(SqliteWriteScope scope, string jobName, string key)
    {
        // A trigger's poll and file state go with it: SQLite may give the next trigger the same id.
        foreach (var table in new[] { "poll_state", "file_state" })
        {
            scope.Execute($"DELETE FROM {table} WHERE trigger_id IN (SELECT id FROM triggers WHERE job_name = @name AND key = @key)", ("@name", jobName), ("@key", key));
        }
        scope.Execute("DELETE FROM triggers WHERE job_name = @name AND key = @key", ("@name", jobName), ("@key", key));
    }

    private static void InsertTrigger(SqliteWriteScope scope, string jobName, TriggerRegistration trigger, DateTimeOffset now) =>
        scope.Execute(
            "INSERT INTO triggers (job_name, key, spec, next_fire_at, created_at) VALUES (@name, @key, @spec, @next, @now)",
            ("@name", jobName), ("@key", trigger.Key), ("@spec", JsonSerializer.Serialize(trigger.Spec, KairosJson.Options)),
            ("@next", Ms(trigger.InitialNextFireAt)), ("@now", Ms(now)));

    private static StoredJob ReadJob(SqliteDataReader r)
    {
        var definition = JsonSerializer.Deserialize<JobDefinition>(r.GetString(0), KairosJson.Options)!;
        // The paused column is the truth: pause/resume change it without rewriting the definition.
        return new StoredJob(definition with { Paused = r.GetInt64(1) != 0 }, r.GetInt64(2), Time(r.GetInt64(3)));
    }
}
