using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>Webhook deliveries are stamped with the cluster's time (the database's), not the node's own clock.</summary>
public sealed class WebhookClockTests
{
    [PostgresFact]
    public Task A_delivery_to_a_node_whose_clock_runs_an_hour_ahead_is_due_now_on_database_time() =>
        // Regression: the endpoint took "now" from the node's clock, so on a node an hour ahead every
        // webhook run was due an hour in the future and waited that long in the queue.
        NodeAheadOfDatabase.RunAsync("""
            webhooks:
              deploy:
                verify: none
            jobs:
              on-deploy:
                handler: noop
                triggers:
                  - webhook: deploy
            """, async server =>
        {
            var response = await server.Http.PostAsync("/hooks/deploy", new StringContent("{}"));
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

            var databaseNow = await NodeAheadOfDatabase.DatabaseNowAsync(server);
            var run = Assert.Single(await server.Client.ListRunsAsync(new RunQuery { JobName = "on-deploy" }));
            Assert.InRange(run.DueAt - databaseNow, TimeSpan.FromSeconds(-10), TimeSpan.FromSeconds(1));
            await Eventually.TrueAsync(async () => (await server.Client.GetRunAsync(run.Id))!.State == RunState.Succeeded,
                "the webhook run to run now, not in an hour", timeoutMs: 10_000);
        });
}
