using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>A delivery accepted (202) before the server stops is run after it restarts, once.</summary>
public sealed class WebhookRestartTests : IDisposable
{
    private const string Config = """
        engine:
          shutdownGrace: 100ms
        webhooks:
          deploy:
            verify: bearer
            secret: restart-token
        jobs:
          deploy:
            handler: gate
            triggers:
              - webhook: deploy
        """;

    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task An_accepted_delivery_survives_a_restart_in_the_middle_of_its_run()
    {
        var started = new TaskCompletionSource();
        long runId;
        await using (var before = await InProcessServer.StartAsync(Config, s => s.AddHandler("gate", async ctx =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ctx.CancellationToken); // Still running when the server stops.
            return null;
        }), _directory))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/deploy") { Content = new StringContent("""{"ref":"v1"}""", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "restart-token");
            using var response = await before.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            runId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["runIds"]![0]!.GetValue<long>();
            await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        await using var after = await InProcessServer.StartAsync(Config, s => s.AddHandler("gate", ctx =>
            Task.FromResult<JsonNode?>(new JsonObject { ["ref"] = ctx.Payload.GetProperty("body").GetProperty("ref").GetString() })), _directory);
        await Eventually.TrueAsync(async () => (await after.Client.GetRunAsync(runId, CancellationToken.None))!.State == RunState.Succeeded, "the run to finish after the restart");

        var run = (await after.Client.GetRunAsync(runId, CancellationToken.None))!;
        Assert.Equal(("""{"ref":"v1"}""", 2), (run.Output, run.Attempt));
        var kinds = (await after.Client.ListJournalAsync(new Kairos.Storage.JournalQuery { RunId = runId }, CancellationToken.None)).Select(e => e.Kind).ToList();
        Assert.Equal(["run.enqueued", "run.started", "run.released", "run.started", "run.succeeded"], kinds);
    }

    public void Dispose() => _directory.Dispose();
}
