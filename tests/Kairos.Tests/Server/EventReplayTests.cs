using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Storage;
using Kairos.Tests.Server.Dashboard;
using Kairos.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Server;

/// <summary>
/// Replaying exactly one event, through the API, the CLI and the event page's button: two events of the same type are
/// published in the same millisecond (the clock stands still), and only the one asked for goes again.
/// </summary>
public sealed class EventReplayTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private DashboardServer _dashboard = null!;
    private long _first;
    private long _twin;

    private InProcessServer Server => _dashboard.Server;

    public async Task InitializeAsync()
    {
        _dashboard = await DashboardServer.StartAsync("""
            jobs:
              ship:
                handler: echo
                paused: true
              audit:
                handler: echo
                paused: true
            subscriptions:
              shipping:
                events: "order.*"
                job: ship
              auditing:
                events: "order.created"
                job: audit
              billing:
                events: "invoice.*"
                job: ship
            """, s => s.Services.AddSingleton<TimeProvider>(_clock));
        Server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _dashboard.AdminKey);
        _first = (await Server.Client.PublishAsync(new EventRequest("order.created", "test") { Data = """{"id": 1}""" })).EventId;
        _twin = (await Server.Client.PublishAsync(new EventRequest("order.created", "test") { Data = """{"id": 2}""" })).EventId;
    }

    public async Task DisposeAsync() => await _dashboard.DisposeAsync();

    private async Task<List<(long Event, string? Subscription)>> RunsOfAsync(long eventId) =>
        (await Server.Client.ListRunsAsync(new RunQuery { EventId = eventId })).Select(r => (r.EventId!.Value, r.Subscription)).ToList();

    [Fact]
    public async Task The_api_replays_the_event_asked_for_to_one_subscription_and_not_its_twin_of_the_same_millisecond()
    {
        using var response = await Server.Http.PostAsync($"/api/events/{_first}/replay?subscription=shipping", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Single(body["runIds"]!.AsArray());
        Assert.Equal(3, (await RunsOfAsync(_first)).Count); // Its two deliveries and the replay.
        Assert.Equal(2, (await RunsOfAsync(_twin)).Count);
        Assert.Equal(2, (await RunsOfAsync(_first)).Count(r => r.Subscription == "shipping"));
    }

    [Fact]
    public async Task Without_a_subscription_the_event_goes_to_every_subscription_whose_type_pattern_takes_it()
    {
        using var response = await Server.Http.PostAsync($"/api/events/{_first}/replay", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["runIds"]!.AsArray().Count);
        Assert.Equal(["auditing", "auditing", "shipping", "shipping"], (await RunsOfAsync(_first)).Select(r => r.Subscription).Order());
        Assert.Equal(2, (await RunsOfAsync(_twin)).Count);
    }

    [Theory]
    [InlineData("/api/events/999/replay", "event 999 does not exist")]
    [InlineData("/api/events/1/replay?subscription=nope", "subscription 'nope' does not exist")]
    public async Task An_unknown_event_or_subscription_is_a_404(string path, string says)
    {
        using var response = await Server.Http.PostAsync(path, null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(says, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Kairos_events_replay_ID_replays_that_event_alone()
    {
        var (exit, output, error) = await CliRunner.RunAsync(
            ["events", "replay", _first.ToString(), "--subscription", "auditing", "--server", Server.Url, "--api-key", _dashboard.AdminKey]);

        Assert.True(exit == 0, error);
        Assert.StartsWith($"event {_first} replayed; 1 run(s): ", output);
        Assert.Equal(2, (await RunsOfAsync(_first)).Count(r => r.Subscription == "auditing"));
        Assert.Equal(2, (await RunsOfAsync(_twin)).Count);
    }

    [Fact]
    public async Task The_event_pages_replay_button_sends_that_event_alone()
    {
        using var admin = await _dashboard.AdminAsync();

        using var replayed = await admin.SubmitAsync($"/events/{_first}", "/events/replay", ("event", _first.ToString()), ("subscription", "shipping"));

        Assert.Equal($"/events/{_first}?replayed=1", replayed.Headers.Location?.OriginalString);
        Assert.Equal(3, (await RunsOfAsync(_first)).Count);
        Assert.Equal(2, (await RunsOfAsync(_twin)).Count);
    }
}
