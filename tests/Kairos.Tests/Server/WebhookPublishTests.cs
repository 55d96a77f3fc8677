using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>A webhook with <c>publish:</c> turns each delivery into an event several subscriptions react to, over real HTTP.</summary>
public sealed class WebhookPublishTests
{
    [Fact]
    public async Task A_delivery_publishes_its_event_and_every_matching_subscription_runs()
    {
        await using var server = await InProcessServer.StartAsync("""
            webhooks:
              github:
                verify: none
                publish: webhook.github.push
            subscriptions:
              deploy-on-push:
                events: webhook.github.*
                filter: { data.body.ref: main }
                job: deploy
              audit-pushes:
                events: "webhook.**"
                job: audit
            jobs:
              deploy:
                handler: echo
              audit:
                handler: echo
            """);

        using var response = await server.Http.PostAsync("/hooks/github", new StringContent("""{"ref":"main"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var published = Assert.Single(await server.Engine.Store.ListEventsAsync(new EventQuery { TypePattern = "webhook.github.push" }, CancellationToken.None));
        Assert.Equal("main", (string)JsonNode.Parse(published.Data!)!["body"]!["ref"]!);
        Assert.Single(await server.Engine.Store.ListRunsAsync(new RunQuery { JobName = "deploy" }, CancellationToken.None));
        Assert.Single(await server.Engine.Store.ListRunsAsync(new RunQuery { JobName = "audit" }, CancellationToken.None));
        var hook = JsonNode.Parse(await server.Http.GetStringAsync("/api/webhooks/github"))!;
        Assert.Equal("webhook.github.push", (string)hook["publish"]!);
    }
}
