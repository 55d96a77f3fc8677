using System.Net;
using Kairos.Access;
using Kairos.Events;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>
/// What every action of the dashboard shares: a post without the form's
/// antiforgery token is refused, a key below the action's scope is refused even with a valid token,
/// and a key bound to a namespace sees nothing of another.
/// </summary>
public sealed class DashboardActionGuardTests : IAsyncLifetime
{
    private DashboardServer _dashboard = null!;

    private InProcessServer Server => _dashboard.Server;

    public async Task InitializeAsync() => _dashboard = await DashboardServer.StartAsync("""
            jobs:
              report:
                handler: noop
              billing/report:
                handler: noop
            """);

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    [Theory]
    [InlineData("/runs/cancel", "run", "1")]
    [InlineData("/runs/retry", "run", "1")]
    [InlineData("/job/run", "name", "report")]
    [InlineData("/job/pause", "name", "report")]
    [InlineData("/job/resume", "name", "report")]
    [InlineData("/job/delete", "name", "report")]
    [InlineData("/events/cancel", "event", "1")]
    [InlineData("/events/retry", "event", "1")]
    [InlineData("/events/replay", "event", "1")]
    [InlineData("/subscriptions/save", "name", "x")]
    [InlineData("/subscriptions/delete", "name", "x")]
    [InlineData("/webhooks/save", "name", "x")]
    [InlineData("/webhooks/delete", "name", "x")]
    [InlineData("/keys/create", "name", "x")]
    [InlineData("/keys/revoke", "name", "ops")]
    public async Task An_action_without_the_forms_token_or_above_the_keys_scope_is_refused(string action, string field, string value)
    {
        using var admin = await _dashboard.AdminAsync();
        using var reader = await _dashboard.ReaderAsync();

        using var untokened = await admin.PostAsync(action, (field, value));
        using var forged = await reader.SubmitAsync("/", action, (field, value));

        Assert.Equal(HttpStatusCode.BadRequest, untokened.StatusCode);
        Assert.Contains("This form did not come from this dashboard", await untokened.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("This needs a key with scope", await forged.Content.ReadAsStringAsync());
        Assert.Equal(["ops", "viewer"], (await Server.Client.ListApiKeysAsync()).Select(k => k.Name).Order());
    }

    [Fact]
    public async Task A_key_bound_to_a_namespace_sees_only_that_namespaces_events_and_subscriptions()
    {
        await Server.Client.SaveSubscriptionAsync(new Subscription("shipping", "order.*", "report"));
        await Server.Client.SaveSubscriptionAsync(new Subscription("billing/audit", "invoice.*", "billing/report"));
        var order = await Server.Client.PublishAsync(new EventRequest("order.created", "test"));
        var invoice = await Server.Client.PublishAsync(new EventRequest("billing/invoice.paid", "test"));
        var key = await Server.Client.CreateApiKeyAsync("billing-viewer", KairosScope.Write, namespaces: ["billing"]);
        using var browser = await DashboardClient.SignedInAsync(Server.Url, key.Token);

        var events = await browser.GetPageAsync("/events");
        var subscriptions = await browser.GetPageAsync("/subscriptions");
        using var other = await browser.GetAsync($"/events/{order.EventId}");
        using var otherSubscription = await browser.GetAsync("/subscriptions/edit?name=shipping");

        Assert.Contains($"href=\"/events/{invoice.EventId}\"", events);
        Assert.DoesNotContain($"href=\"/events/{order.EventId}\"", events);
        Assert.Contains("<td>billing/audit</td>", subscriptions);
        Assert.DoesNotContain("shipping", subscriptions);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherSubscription.StatusCode);
    }
}
