using System.Net;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;
using Npgsql;

namespace Kairos.Tests.EndToEnd;

/// <summary><c>kairos serve --db postgres://…</c>: the same server on PostgreSQL, as a real child process.</summary>
public sealed class PostgresServeTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [PostgresFact]
    public async Task Serve_on_a_postgres_url_runs_jobs_and_keeps_them_across_a_restart()
    {
        var server = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString!);
        var schema = "kairos_e2e_" + Guid.NewGuid().ToString("N")[..8];
        var url = $"postgres://{server.Username}@{server.Host}:{server.Port}/{server.Database}?schema={schema}";
        var config = _directory.File("kairos.yaml");
        await File.WriteAllTextAsync(config, "jobs:\n  greet:\n    handler: echo\n");
        try
        {
            long runId;
            await using (var first = await KairosServerProcess.StartAsync(config, url))
            {
                using var response = await first.Http.PostAsync("/api/jobs/greet/run?wait=10s", new StringContent("""{"who":"pg"}"""));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var run = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                Assert.Equal(("succeeded", "pg"), (run["state"]!.GetValue<string>(), run["output"]!["who"]!.GetValue<string>()));
                runId = run["id"]!.GetValue<long>();
                Assert.Contains("PostgreSQL postgres://", first.Output);
            }
            await using var second = await KairosServerProcess.StartAsync(config, url);
            var again = JsonNode.Parse(await second.Http.GetStringAsync($"/api/runs/{runId}"))!;
            Assert.Equal("succeeded", again["run"]!["state"]!.GetValue<string>());
        }
        finally
        {
            await using var connection = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    public void Dispose() => _directory.Dispose();
}
