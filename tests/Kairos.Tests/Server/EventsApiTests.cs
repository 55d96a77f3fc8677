using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Cli;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>Events, subscriptions, webhooks and job definitions through the REST API and the CLI, over real HTTP.</summary>
public sealed class EventsApiTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("""
        subscriptions:
          big-orders:
            events: "order.*"
            filter: { data.amount: { $gt: 100 } }
            job: ship
        jobs:
          ship:
            handler: echo
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<JsonNode> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private async Task<(int Exit, string Output, string Error)> CliAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await KairosCli.RunAsync([.. args, "--server", _server.Url], output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Publishing_through_the_api_runs_the_subscribed_job_and_the_event_shows_its_runs()
    {
        var published = await JsonAsync(await _server.Http.PostAsJsonAsync("/api/events", new { type = "order.created", source = "shop", data = new { amount = 250 } }), HttpStatusCode.Accepted);
        var eventId = published["eventId"]!.GetValue<long>();
        Assert.Single(published["runIds"]!.AsArray());

        await Eventually.TrueAsync(async () =>
            (await JsonAsync(await _server.Http.GetAsync($"/api/events/{eventId}"), HttpStatusCode.OK))["event"]!["status"]!.GetValue<string>() == "completed",
            "the event to complete");
        var detail = await JsonAsync(await _server.Http.GetAsync($"/api/events/{eventId}"), HttpStatusCode.OK);
        Assert.Equal(250, detail["runs"]![0]!["output"]!["event"]!["data"]!["amount"]!.GetValue<int>());

        var small = await JsonAsync(await _server.Http.PostAsJsonAsync("/api/events", new { type = "order.created", data = new { amount = 5 } }), HttpStatusCode.Accepted);
        Assert.Empty(small["runIds"]!.AsArray());
        var list = await JsonAsync(await _server.Http.GetAsync("/api/events?type=order.*"), HttpStatusCode.OK);
        Assert.Equal(2, list.AsArray().Count);
    }

    [Fact]
    public async Task The_event_list_reads_from_and_to_as_the_run_list_does()
    {
        var published = await JsonAsync(await _server.Http.PostAsJsonAsync("/api/events", new { type = "order.placed" }), HttpStatusCode.Accepted);
        var id = published["eventId"]!.GetValue<long>();

        // Without an offset an instant is UTC, whatever the server's time zone; a bad one names its parameter.
        var within = await JsonAsync(await _server.Http.GetAsync("/api/events?from=2000-01-01T00:00:00&to=2999-01-01T00:00:00"), HttpStatusCode.OK);
        var after = await JsonAsync(await _server.Http.GetAsync("/api/events?from=2999-01-01T00:00:00"), HttpStatusCode.OK);
        using var bad = await _server.Http.GetAsync("/api/events?to=tomorrow");

        Assert.Contains(id, within.AsArray().Select(e => e!["id"]!.GetValue<long>()));
        Assert.Empty(after.AsArray());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("to 'tomorrow' is not an instant", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bad_events_get_a_problem_saying_what_is_wrong()
    {
        var response = await _server.Http.PostAsync("/api/events", new StringContent("""{"type":"no spaces allowed"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a valid event type", await response.Content.ReadAsStringAsync());
        var missing = await _server.Http.PostAsync("/api/events", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Contains("needs at least", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Subscriptions_and_jobs_with_event_triggers_can_be_declared_through_the_api()
    {
        await JsonAsync(await _server.Http.PutAsync("/api/jobs/audit", new StringContent(
            """{"handler":"echo","triggers":[{"completion":"ship","on":"any"}]}""", Encoding.UTF8, "application/json")), HttpStatusCode.OK);
        var created = await JsonAsync(await _server.Http.PutAsJsonAsync("/api/subscriptions/refunds", new { events = "order.refunded", job = "audit", filter = new { source = "shop" } }), HttpStatusCode.OK);
        Assert.Equal("order.refunded", created["events"]!.GetValue<string>());

        var all = await JsonAsync(await _server.Http.GetAsync("/api/subscriptions"), HttpStatusCode.OK);
        var names = all.AsArray().Select(s => s!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("refunds", names);
        Assert.Contains("audit.after.ship.any", names); // The completion trigger's own subscription.

        var owned = await _server.Http.PutAsJsonAsync("/api/subscriptions/audit.after.ship.any", new { events = "x", job = "audit" });
        Assert.Equal(HttpStatusCode.Conflict, owned.StatusCode);
        var bad = await _server.Http.PutAsync("/api/jobs/broken", new StringContent("""{"handler":"echo","priority":99}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("priority: 99 is out of range", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, (await _server.Http.DeleteAsync("/api/subscriptions/refunds")).StatusCode);
    }

    [Fact]
    public async Task Notifications_are_declared_through_the_api_and_a_mistake_is_a_400_naming_it()
    {
        var saved = await JsonAsync(await _server.Http.PutAsync("/api/jobs/notifier", new StringContent("""
            {"handler":"echo",
             "notify":[{"on":["dead"],"event":"notifier.down"},
                       {"on":["succeeded"],"http":{"url":"https://hooks.example/{{run.id}}","body":"{\"out\":\"{{run.output}}\"}"}}]}
            """, Encoding.UTF8, "application/json")), HttpStatusCode.OK);
        Assert.Equal("notifier.down", (string)saved["notify"]![0]!["event"]!);
        Assert.Equal("POST", (string)saved["notify"]![1]!["http"]!["method"]!);

        var bad = await _server.Http.PutAsync("/api/jobs/notifier", new StringContent(
            """{"handler":"echo","notify":[{"on":["dead"],"event":"run.failed"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("notify[0].event", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Webhooks_created_through_the_api_never_show_their_secret()
    {
        var created = await JsonAsync(await _server.Http.PutAsJsonAsync("/api/webhooks/deploy", new { verify = "bearer", secret = "super-secret-value" }), HttpStatusCode.OK);
        Assert.StartsWith("set in configuration", created["status"]!["secret"]!.GetValue<string>());
        Assert.Null(created["secret"]);
        var listed = await _server.Http.GetStringAsync("/api/webhooks");
        Assert.DoesNotContain("super-secret-value", listed);
        Assert.Contains("/hooks/deploy", listed);
        var bad = await _server.Http.PutAsJsonAsync("/api/webhooks/x", new { verify = "github" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task The_cli_shows_a_chain_in_both_directions()
    {
        await JsonAsync(await _server.Http.PutAsync("/api/jobs/after-ship", new StringContent(
            """{"handler":"echo","triggers":[{"completion":"ship"}]}""", Encoding.UTF8, "application/json")), HttpStatusCode.OK);
        var run = await JsonAsync(await _server.Http.PostAsync("/api/jobs/ship/run?wait=10s", new StringContent("{}")), HttpStatusCode.OK);
        var shipId = run["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        string? childId = null;
        await Eventually.TrueAsync(async () =>
        {
            var children = (await JsonAsync(await _server.Http.GetAsync($"/api/runs/{shipId}"), HttpStatusCode.OK))["children"]!.AsArray();
            childId = children.Count == 1 && children[0]!["state"]!.GetValue<string>() == "succeeded" ? children[0]!["id"]!.ToString() : null;
            return childId is not null;
        }, "the chained run");

        Assert.Contains($"caused: run {childId} (after-ship, succeeded)", (await CliAsync("runs", "show", shipId)).Output);
        Assert.Contains($"caused by: run {shipId} (ship, succeeded)", (await CliAsync("runs", "show", childId!)).Output);
    }

    [Fact]
    public async Task The_cli_publishes_lists_and_shows_events()
    {
        var (exit, output, error) = await CliAsync("events", "publish", "order.created", "--data", """{"amount":500}""", "--source", "cli-test");
        Assert.True(exit == 0, error);
        Assert.Contains("published; 1 run(s)", output);

        var listed = await CliAsync("events", "list", "--type", "order.*");
        Assert.Contains("cli-test", listed.Output);
        Assert.Contains("order.created", listed.Output);
        Assert.Equal(2, (await CliAsync("events", "publish", "order.created", "--data", "{oops")).Exit);
        Assert.Contains("big-orders", (await CliAsync("subscriptions", "list")).Output);
    }
}
