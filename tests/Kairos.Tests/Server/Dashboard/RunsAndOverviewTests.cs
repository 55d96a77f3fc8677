using System.Net;
using Kairos.Access;
using Kairos.Model;
using Kairos.Server.Dashboard;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>The runs list's filters (namespace, source, creation time) with its bulk actions, and the overview's scheduler lag, over real HTTP.</summary>
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
    public async Task The_runs_list_filtered_by_source_and_creation_time_shows_those_runs_and_keeps_its_filter_after_a_bulk_cancel()
    {
        var later = Server.Client.Clock.GetUtcNow().AddHours(1);
        var hooked = await Server.Client.EnqueueAsync(new RunRequest("report", TriggerSources.Webhook) { NotBefore = later });
        var manual = await Server.Client.RunAtAsync("report", later);
        using var admin = await _dashboard.AdminAsync();
        var since = RunsFilter.Instant(Server.Client.Clock.GetUtcNow().AddMinutes(-5));

        var page = await admin.GetPageAsync($"/runs?source=webhook&from={since}");
        var none = await admin.GetPageAsync($"/runs?source=webhook&to={since}");
        var back = $"/runs?source=webhook&from={Uri.EscapeDataString(since!)}";
        using var cancelled = await admin.SubmitAsync(back, "/runs/cancel", ("run", hooked.RunId.ToString()), ("back", back));

        Assert.Contains($"href=\"/runs/{hooked.RunId}\"", page);
        Assert.DoesNotContain($"href=\"/runs/{manual.RunId}\"", page);
        Assert.Contains("<option value=\"webhook\" selected", page);
        Assert.Contains($"name=\"from\" value=\"{since}\"", page);
        Assert.Contains($"value=\"{back.Replace("&", "&amp;")}\"", page); // The bulk form returns to the filtered list.
        Assert.Contains("No run matches.", none);
        Assert.Equal(back + "&cancelled=1&refused=0", cancelled.Headers.Location?.OriginalString);
        Assert.Equal(RunState.Cancelled, (await Server.Client.GetRunAsync(hooked.RunId))!.State);
        Assert.Equal(RunState.Queued, (await Server.Client.GetRunAsync(manual.RunId))!.State);
    }

    [Theory]
    [InlineData("/runs?from=soon", "from &#x27;soon&#x27; is not an instant")]
    [InlineData("/runs?source=pigeon", "source &#x27;pigeon&#x27; is not one of any, backfill")]
    [InlineData("/runs?from=2026-12-07T10:00Z&to=2026-12-07T09:00Z", "is after to")]
    public async Task A_runs_filter_that_is_not_one_is_a_400_page_naming_it(string path, string says)
    {
        using var reader = await _dashboard.ReaderAsync();

        using var response = await reader.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(says, await response.Content.ReadAsStringAsync());
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
