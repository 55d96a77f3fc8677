using System.Text.Json;
using Kairos.Model;
using Npgsql;

namespace Kairos.Storage.Postgres;

internal sealed partial class PostgresStore
{
    public Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken) =>
        Read(async scope => (StoredJob?)(await scope.Query("SELECT definition, paused, version, updated_at FROM jobs WHERE name = @name", ReadJob, ("name", name))).FirstOrDefault(),
            cancellationToken);

    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredJob>>(async scope => await scope.Query("SELECT definition, paused, version, updated_at FROM jobs ORDER BY name", ReadJob),
            cancellationToken);

    // COLLATE "C": byte order, the ordinal order pages are in, whatever the database's collation.
    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredJob>>(async scope => await scope.Query($"""
            SELECT definition, paused, version, updated_at FROM jobs
            WHERE (@after::text IS NULL OR name COLLATE "C" > @after::text) AND {InNamespace("name")}
              AND (@contains::text IS NULL OR strpos(lower(name), lower(@contains::text)) > 0)
              AND (@paused::boolean IS NULL OR paused = @paused::boolean) AND (@kind::text IS NULL OR executor_kind = @kind::text)
              AND (@lastState::text IS NULL OR (SELECT r.state FROM runs r WHERE r.job_name = jobs.name ORDER BY r.id DESC LIMIT 1) = @lastState::text)
            ORDER BY name COLLATE "C" LIMIT @limit
            """, ReadJob, ("after", query.After), ("contains", query.NameContains), ("paused", query.Paused), ("kind", query.ExecutorKind), ("lastState", query.LastRunState?.ToWire()), ("ns", Kairos.Access.Namespaces.Prefix(query.Namespace)), ("limit", Math.Clamp(query.Limit, 1, 10_000))),
            cancellationToken);

    private static StoredJob ReadJob(NpgsqlDataReader r)
    {
        var definition = JsonSerializer.Deserialize<JobDefinition>(r.GetString(0), KairosJson.Options)!;
        // The paused column is the truth: pause/resume change it without rewriting the definition.
        return new StoredJob(definition with { Paused = r.GetBoolean(1) }, r.GetInt64(2), Time(r.GetInt64(3)));
    }
}
