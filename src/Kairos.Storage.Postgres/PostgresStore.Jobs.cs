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

    private static StoredJob ReadJob(NpgsqlDataReader r)
    {
        var definition = JsonSerializer.Deserialize<JobDefinition>(r.GetString(0), KairosJson.Options)!;
        // The paused column is the truth: pause/resume change it without rewriting the definition.
        return new StoredJob(definition with { Paused = r.GetBoolean(1) }, r.GetInt64(2), Time(r.GetInt64(3)));
    }
}
