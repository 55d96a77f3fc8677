using System.Net;
using System.Text;
using Kairos.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>The webhooks page over real HTTP: each hook with its verification and jobs, and its deliveries accepted or refused with the reason.</summary>
public sealed class WebhookPagesTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private DashboardServer _dashboard = null!;

    private InProcessServer Server => _dashboard.Server;

    public async Task InitializeAsync() => _dashboard = await DashboardServer.StartAsync("""
            webhooks:
              shop:
                verify: bearer
                secret: shop-token
              idle:
                verify: none
            jobs:
              on-shop:
                handler: noop
                triggers:
                  - webhook: shop
            """, s => s.Services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    private async Task<HttpStatusCode> DeliverAsync(string hook, string? token, string? deliveryId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/" + hook) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        if (deliveryId is not null)
        {
            request.Headers.Add("X-Delivery-Id", deliveryId);
        }
        using var response = await Server.Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Each_delivery_shows_accepted_or_refused_with_its_reason_newest_first()
    {
        await Eventually.TrueAsync(() => Server.Engine.IsLeader, "the node to lead, so the refusals loop runs");
        Assert.Equal(HttpStatusCode.Accepted, await DeliverAsync("shop", "shop-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync("shop", "wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, await DeliverAsync("shop", null));
        Assert.Equal(HttpStatusCode.NotFound, await DeliverAsync("idle", null)); // Verified, but no job runs from it.
        var run = Assert.Single(await Server.Client.ListRunsAsync(new Kairos.Storage.RunQuery { JobName = "on-shop" }));
        _clock.Advance(TimeSpan.FromMinutes(1)); // The refusals are journaled once a minute.
        await Eventually.TrueAsync(async () => (await Server.Client.ListJournalAsync(new() { Kinds = ["webhook.refused"] })).Count == 1, "the refusals journaled");
        using var browser = await _dashboard.ReaderAsync();

        var all = await browser.GetPageAsync("/webhooks");
        var shop = await browser.GetPageAsync("/webhooks?hook=shop");

        Assert.Contains("<code>POST /hooks/shop</code>", all);
        Assert.Contains("bearer, secret set in configuration", all);
        Assert.Contains(">on-shop</a>", all);
        Assert.Contains("no job has a trigger for this hook", all);
        Assert.Contains("signature: 2", shop);
        Assert.Contains($"href=\"/runs/{run.Id}\"", shop);
        Assert.DoesNotContain("no job has a trigger for this hook", shop);
        Assert.True(shop.IndexOf("signature: 2", StringComparison.Ordinal) < shop.IndexOf($"href=\"/runs/{run.Id}\"", StringComparison.Ordinal), "newest first");
    }

    [Fact]
    public async Task An_unknown_hook_in_the_address_gets_a_404_page()
    {
        using var browser = await _dashboard.ReaderAsync();

        using var response = await browser.GetAsync("/webhooks?hook=nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is no webhook named &#x27;nope&#x27;.", await response.Content.ReadAsStringAsync());
    }
}
