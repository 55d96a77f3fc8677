using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Kairos.Access;
using Kairos.Cli;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Access;

/// <summary>
/// <c>GET /api/namespaces</c> and <c>kairos namespaces list</c>: a key of every namespace sees each
/// one with its jobs and runs; a key bound to namespaces sees only its own.
/// </summary>
public sealed class NamespacesListTests
{
    private const string Yaml = """
        engine:
          namespaces: { reports: { maxRunning: 2 } }
        jobs:
          shop/nap:
            handler: echo
          billing/nap:
            handler: echo
          billing/invoice:
            handler: echo
        """;

    private static async Task<JsonArray> ListAsync(InProcessServer server, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/namespaces");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsArray();
    }

    [Fact]
    public async Task A_key_of_every_namespace_sees_each_with_its_jobs_and_runs_and_a_bound_key_only_its_own()
    {
        await using var server = await InProcessServer.StartAsync(Yaml);
        var admin = (await server.Client.CreateApiKeyAsync("ops", KairosScope.Admin)).Token;
        var shop = (await server.Client.CreateApiKeyAsync("shop-ci", KairosScope.Read, namespaces: ["shop"])).Token;
        var run = await server.Client.In("billing").RunNowAsync("nap");
        await server.Client.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(30));

        var all = await ListAsync(server, admin);
        var own = await ListAsync(server, shop);

        Assert.Equal(["billing", "default", "reports", "shop"], all.Select(n => (string)n!["name"]!));
        var billing = all.Single(n => (string)n!["name"]! == "billing")!;
        Assert.Equal(2, (long)billing["jobs"]!);
        Assert.Equal("""{"succeeded":1}""", billing["runs"]!.ToJsonString());
        Assert.Equal(["shop"], own.Select(n => (string)n!["name"]!));
        Assert.Equal(1, (long)own[0]!["jobs"]!);

        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await KairosCli.RunAsync(["namespaces", "list", "--server", server.Url, "--api-key", admin], output, error);
        Assert.True(exit == 0, error.ToString());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToList();
        Assert.Equal(["NAMESPACE JOBS QUEUED RUNNING RUNS", "billing 2 0 0 1", "default 0 0 0 0", "reports 0 0 0 0", "shop 1 0 0 0"], lines);
    }
}
