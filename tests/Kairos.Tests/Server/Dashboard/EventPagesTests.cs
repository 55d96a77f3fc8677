using System.Net;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Dashboard;

/// <summary>The event log, the queue and an event's page over real HTTP: filters, cancel, retry, deliveries and who may act.</summary>
public sealed class EventPagesTests : IAsyncLifetime
{
    private DashboardServer _dashboard = null!;

    private InProcessServer Server => _dashboard.Server;

    public async Task InitializeAsync() => _dashboard = await DashboardServer.StartAsync("""
            jobs:
              ship:
                handler: echo
              bill:
                handler: fail
                retry: { maxAttempts: 1 }
            subscriptions:
              shipping:
                events: "order.*"
                job: ship
              billing:
                events: "invoice.*"
                job: bill
            """);

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    private Task<PublishResult> PublishAsync(string type, string? data = null, DateTimeOffset? notBefore = null) =>
        Server.Client.PublishAsync(new EventRequest(type, "test") { Data = data, NotBefore = notBefore });

    [Fact]
    public async Task A_pending_event_is_cancelled_from_the_queue_with_its_queued_run()
    {
        var later = await PublishAsync("order.created", """{"id": 7}""", Server.Client.Clock.GetUtcNow().AddHours(1));
        using var browser = await _dashboard.AdminAsync();
        var queue = await browser.GetPageAsync("/events/queue");
        Assert.Contains($"id=\"cancel-event-{later.EventId}\"", queue);

        using var cancel = await browser.SubmitAsync("/events/queue", "/events/cancel", ("event", later.EventId.ToString()));
        var page = await browser.GetPageAsync(cancel.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.SeeOther, cancel.StatusCode);
        Assert.Contains("Cancelled the event and 1 queued run of it.", page);
        Assert.Equal(EventStatus.Cancelled, (await Server.Client.GetEventAsync(later.EventId))!.Status);
        Assert.Equal(RunState.Cancelled, (await Server.Client.GetRunAsync(later.Runs[0].RunId))!.State);
        Assert.DoesNotContain($"cancel-event-{later.EventId}", await browser.GetPageAsync("/events/queue"));
    }

    [Fact]
    public async Task A_failed_event_is_retried_and_its_page_shows_each_delivery_with_its_subscription()
    {
        var invoice = await PublishAsync("invoice.paid");
        await Server.Client.WaitForRunAsync(invoice.Runs[0].RunId, TimeSpan.FromSeconds(15));
        using var browser = await _dashboard.AdminAsync();
        var before = await browser.GetPageAsync($"/events/{invoice.EventId}");

        using var retry = await browser.SubmitAsync($"/events/{invoice.EventId}", "/events/retry", ("event", invoice.EventId.ToString()));
        var after = await browser.GetPageAsync(retry.Headers.Location!.OriginalString);

        Assert.Contains("state-failed\">failed</span>", before);
        Assert.Contains(">billing</td>", before);
        Assert.Contains($"href=\"/runs/{invoice.Runs[0].RunId}\"", before);
        Assert.Contains("Queued the event&#x27;s failed run again.", after);
        Assert.Contains(await Server.Client.GetRunJournalAsync(invoice.Runs[0].RunId), e => e.Kind == "run.retried");
    }

    [Fact]
    public async Task The_event_log_filtered_by_type_lists_only_the_matching_events()
    {
        var order = await PublishAsync("order.created");
        var invoice = await PublishAsync("invoice.sent");
        using var browser = await _dashboard.ReaderAsync();

        var page = await browser.GetPageAsync("/events?type=" + Uri.EscapeDataString("order.*"));

        Assert.Contains($"href=\"/events/{order.EventId}\"", page);
        Assert.DoesNotContain($"href=\"/events/{invoice.EventId}\"", page);
    }

    [Theory]
    [InlineData("/events?status=lost", "status &#x27;lost&#x27; is not one of any, pending, processing, completed, failed, cancelled")]
    [InlineData("/events?type=order..x", "type: ")]
    [InlineData("/events?before=x", "before &#x27;x&#x27; is not an event id")]
    public async Task A_filter_that_does_not_parse_gets_a_400_page_naming_it(string path, string message)
    {
        using var browser = await _dashboard.ReaderAsync();

        using var response = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_read_only_key_sees_no_event_action_and_its_forged_cancel_is_refused()
    {
        var later = await PublishAsync("order.created", notBefore: Server.Client.Clock.GetUtcNow().AddHours(1));
        using var browser = await _dashboard.ReaderAsync();
        var queue = await browser.GetPageAsync("/events/queue");

        using var forged = await browser.SubmitAsync("/events/queue", "/events/cancel", ("event", later.EventId.ToString()));

        Assert.Contains($"href=\"/events/{later.EventId}\"", queue);
        Assert.DoesNotContain("<button", queue.Split("<main")[1]);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Equal(EventStatus.Pending, (await Server.Client.GetEventAsync(later.EventId))!.Status);
    }

    [Fact]
    public async Task Cancelling_an_event_that_is_no_longer_pending_says_why_on_a_409_page()
    {
        var order = await PublishAsync("order.created");
        await Server.Client.WaitForRunAsync(order.Runs[0].RunId, TimeSpan.FromSeconds(15));
        using var browser = await _dashboard.AdminAsync();

        using var cancel = await browser.SubmitAsync("/events/queue", "/events/cancel", ("event", order.EventId.ToString()));
        using var bad = await browser.SubmitAsync("/events/queue", "/events/cancel", ("event", "-1"));

        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        Assert.Contains($"event {order.EventId}", await cancel.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("the form&#x27;s event is not an id", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_event_replayed_to_a_subscription_from_its_page_queues_one_new_run_and_a_read_only_key_sees_no_replay()
    {
        var published = await PublishAsync("order.created", """{"id": 9}""");
        var first = Assert.Single(published.Runs);
        await Server.Client.WaitForRunAsync(first.RunId, TimeSpan.FromSeconds(15));
        using var admin = await _dashboard.AdminAsync();
        using var reader = await _dashboard.ReaderAsync();

        var page = await admin.GetPageAsync($"/events/{published.EventId}");
        using var replayed = await admin.SubmitAsync($"/events/{published.EventId}", "/events/replay", ("event", published.EventId.ToString()), ("subscription", "shipping"));
        var after = await admin.GetPageAsync(replayed.Headers.Location!.OriginalString);
        var readerPage = await reader.GetPageAsync($"/events/{published.EventId}");

        Assert.Contains("<option value=\"shipping\">shipping</option>", page);
        Assert.DoesNotContain("<option value=\"billing\">", page); // Its type pattern does not take order.created.
        Assert.Equal($"/events/{published.EventId}?replayed=1", replayed.Headers.Location.OriginalString);
        Assert.Contains("Replayed: queued 1 run.", after);
        var runs = await Server.Client.ListRunsAsync(new RunQuery { EventId = published.EventId });
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal("shipping", r.Subscription));
        Assert.DoesNotContain("id=\"replay-event\"", readerPage);
    }
}
