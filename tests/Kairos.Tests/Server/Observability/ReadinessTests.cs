using System.Net;
using Kairos.Tests.Support;
using Npgsql;

namespace Kairos.Tests.Server.Observability;

/// <summary><c>GET /readyz</c>: 200 while the database answers and the engine runs, 503 with one line saying why otherwise; no key needed.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task A_running_server_is_ready_even_for_a_request_without_a_key_and_not_once_its_engine_stopped()
    {
        await using var server = await InProcessServer.StartAsync("jobs:\n  nap:\n    handler: echo\n");
        await server.Client.CreateApiKeyAsync("someone", Kairos.Access.KairosScope.Admin);

        using var ready = await server.Http.GetAsync("/readyz");
        Assert.Equal((HttpStatusCode.OK, "ready\n"), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));

        await server.Engine.StopAsync(CancellationToken.None);
        using var stopped = await server.Http.GetAsync("/readyz");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "not ready: the engine is not running (starting or stopping)\n"),
            (stopped.StatusCode, await stopped.Content.ReadAsStringAsync()));
    }

    [PostgresFact]
    public async Task A_server_whose_PostgreSQL_becomes_unreachable_is_not_ready_and_says_so_in_one_line()
    {
        var target = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString!);
        await using var forwarder = new TcpForwarder(target.Host!, target.Port);
        var schema = "kairos_ready_" + Guid.NewGuid().ToString("N")[..8];
        var url = $"postgres://{target.Username}@127.0.0.1:{forwarder.Port}/{target.Database}?schema={schema}";
        try
        {
            await using var server = await InProcessServer.StartAsync("jobs:\n  nap:\n    handler: echo\n", database: url);
            using (var ready = await server.Http.GetAsync("/readyz"))
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            await forwarder.CutAsync();

            using var cut = await server.Http.GetAsync("/readyz");
            var text = await cut.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, cut.StatusCode);
            Assert.StartsWith("not ready: the database does not answer: ", text);
            Assert.Equal(1, text.Count(c => c == '\n'));
            Assert.EndsWith("\n", text);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
