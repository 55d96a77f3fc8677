using System.Net;
using Kairos.Access;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>The runs list's namespace filter and the overview's scheduler lag, over real HTTP.</summary>
public sealed class RunsAndOverviewTests : IAsyncLifetime
{
    private DashboardServer _dashboard = null!;

    private InProcessServer Server => _dashboard.Server;

    public async Task InitializeAsync() => _dashboard = await DashboardServer.StartAsync("""
            jobs:
              report:
                handler: sleep
              billing/report:
                handler: sleep
              shipping/report:
                handler: sleep
            """);

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    [Fact]
    public async Task The_runs_list_filtered_by_namespace_shows_and_bulk_cancels_only_that_namespaces_runs()
    {
        var billing = await Server.Client.RunAtAsync("billing/report", Server.Client.Clock.GetUtcNow().AddHours(1));
        var plain = await Server.Client.RunAtAsync("report", Server.Client.Clock.GetUtcNow().AddHours(1));
        using var admin = await _dashboard.AdminAsync();

        var page = await admin.GetPageAsync("/runs?namespace=billing");
        using var cancelled = await admin.SubmitAsync("/runs?namespace=billing", "/runs/cancel", ("run", billing.RunId.ToString()), ("namespace", "billing"),
            ("back", "/runs?namespace=billing"));

        Assert.Contains($"href=\"/runs/{billing.RunId}\"", page);
        Assert.DoesNotContain($"href=\"/runs/{plain.RunId}\"", page);
        Assert.Equal("/runs?namespace=billing&cancelled=1&refused=0", cancelled.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_key_bound_to_a_namespace_cannot_list_another_namespaces_runs_by_filter()
    {
        var key = await Server.Client.CreateApiKeyAsync("billing-viewer", KairosScope.Read, namespaces: ["billing"]);
        using var browser = await DashboardClient.SignedInAsync(Server.Url, key.Token);

        using var other = await browser.GetAsync("/runs?namespace=shipping");
        var own = await browser.GetPageAsync("/runs");

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Contains("namespace &#x27;shipping&#x27; does not exist", await other.Content.ReadAsStringAsync());
        Assert.DoesNotContain("name=\"namespace\"", own); // One namespace: nothing to choose.
    }

    [Fact]
    public async Task The_overview_says_the_scheduler_is_on_time_when_no_fire_is_overdue()
    {
        using var reader = await _dashboard.ReaderAsync();

        var page = await reader.GetPageAsync("/");

        Assert.Contains("<span class=\"value\" id=\"scheduler-lag\">on time</span>", page);
    }
}
