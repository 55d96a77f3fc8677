using Kairos.Tests.Support;

namespace Kairos.Tests.EndToEnd;

/// <summary>The README's first command: <c>kairos serve --config examples/kairos.yaml</c> starts on a fresh machine, with nothing set in the environment.</summary>
public sealed class ExampleConfigTests
{
    [Fact]
    public async Task The_example_file_serves_its_jobs_with_nothing_set_in_the_environment()
    {
        using var directory = new TempDirectory();
        var example = Path.Combine(KairosServerProcess.RepoRoot, "examples", "kairos.yaml");

        await using var server = await KairosServerProcess.StartAsync(example, directory.File("kairos.db"));
        var jobs = (await server.GetJsonAsync("api/jobs")).AsArray().Select(j => (string)j!["name"]!).ToList();

        Assert.Contains("weekday-report", jobs);
        Assert.Contains("deploy", jobs);

        // The example workflow runs as its comment says: stock is 5, so 2 ship and 9 back-order.
        foreach (var (quantity, ran, skipped) in new[] { (2, "ship", "backorder"), (9, "backorder", "ship") })
        {
            using var started = await server.Http.PostAsync("api/jobs/order-flow/run",
                new StringContent($$"""{"sku": "A1", "quantity": {{quantity}}}""", System.Text.Encoding.UTF8, "application/json"));
            var runId = (long)System.Text.Json.Nodes.JsonNode.Parse(await started.Content.ReadAsStringAsync())!["runId"]!;
            await Eventually.TrueAsync(async () => (string?)(await server.GetJsonAsync($"api/runs/{runId}"))["run"]!["state"] == "succeeded", "the example workflow to succeed");
            var steps = (await server.GetJsonAsync($"api/runs/{runId}/workflow"))["steps"]!.AsArray().ToDictionary(s => (string)s!["id"]!, s => (string)s!["state"]!);
            Assert.Equal(("succeeded", "skipped"), (steps[ran], steps[skipped]));
        }
    }
}
