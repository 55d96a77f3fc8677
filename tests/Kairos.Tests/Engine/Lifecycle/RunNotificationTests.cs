using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Executors;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine.Lifecycle;

/// <summary>notify: events published with the outcome, HTTP requests delivered afterwards by runs of kairos.notify.</summary>
public sealed class RunNotificationTests
{
    private static Task<TestEngine> EngineAsync(TestStore store = TestStore.Sqlite, Action<Kairos.Hosting.KairosOptions>? configure = null) =>
        TestEngine.CreateAsync(store: store, configure: configure, handlers: s => s.AddHandler("flaky", ctx =>
            ctx.Payload.TryGetProperty("fail", out _)
                ? throw new InvalidOperationException("upstream \"down\"\nagain")
                : Task.FromResult<JsonNode?>(new JsonObject { ["rows"] = 2, ["note"] = "a \"quoted\"\nline" })));

    private static RetryPolicy Attempts(int n) => RetryPolicy.Default with { MaxAttempts = n, InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(1), Jitter = 0 };

    private static async Task<IReadOnlyList<StoredEvent>> EventsAsync(TestEngine t, string pattern) =>
        await t.Store.ListEventsAsync(new EventQuery { TypePattern = pattern }, CancellationToken.None);

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Memory)]
    public async Task An_event_is_published_in_the_jobs_namespace_with_the_outcome_and_routed(TestStore store)
    {
        await using var t = await EngineAsync(store);
        await t.Engine.SaveJobAsync(TestEngine.Job("billing/sync", "flaky", j => j with
        {
            Retry = Attempts(1),
            Notify = [new Notification { On = [NotifyOn.Dead], Event = "sync.down" }, new Notification { On = [NotifyOn.Succeeded], Event = "sync.ok" }],
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("billing/alert"));
        await t.Engine.SaveSubscriptionAsync(new Subscription("billing/on-down", "sync.down", "billing/alert"));
        await t.StartAsync();

        var dead = await t.WaitForStateAsync((await t.Engine.RunNowAsync("billing/sync", """{"fail":true,"order":7}""")).RunId, RunState.Dead);

        var published = Assert.Single(await EventsAsync(t, "**"), e => e.Type.EndsWith("sync.down", StringComparison.Ordinal));
        Assert.Equal("billing/sync.down", published.Type);
        Assert.Empty(await EventsAsync(t, "sync.ok"));
        var data = JsonNode.Parse(published.Data!)!;
        Assert.Equal(dead.Id, (long)data["id"]!);
        Assert.Equal("dead", (string)data["state"]!);
        Assert.Equal("billing/sync", (string)data["job"]!);
        Assert.Contains("upstream \"down\"\nagain", (string)data["error"]!);
        Assert.Equal(7, (int)data["payload"]!["order"]!);
        var alert = Assert.Single(await t.Store.ListRunsAsync(new RunQuery { JobName = "billing/alert" }, CancellationToken.None));
        Assert.Equal(dead.Id, alert.ParentRunId);
        Assert.Contains("notification.sent", await t.JournalKindsAsync(dead.Id));
    }

    [Fact]
    public async Task Failed_is_sent_for_every_failed_attempt_and_dead_once_at_the_end()
    {
        await using var t = await EngineAsync();
        await t.Engine.SaveJobAsync(TestEngine.Job("sync", "flaky", j => j with
        {
            Retry = Attempts(2),
            Notify = [new Notification { On = [NotifyOn.Failed], Event = "sync.failed" }, new Notification { On = [NotifyOn.Failed, NotifyOn.Dead], Event = "sync.either" }],
        }));
        await t.StartAsync();

        var id = (await t.Engine.RunNowAsync("sync", """{"fail":true}""")).RunId;
        await Eventually.TrueAsync(async () => (await EventsAsync(t, "sync.failed")).Count == 1, "the first failed notification");
        t.Clock.Advance(TimeSpan.FromSeconds(2));
        await t.WaitForStateAsync(id, RunState.Dead);

        var failed = await EventsAsync(t, "sync.failed");
        Assert.Equal(["dead", "failed"], failed.Select(e => (string)JsonNode.Parse(e.Data!)!["state"]!).Order());
        // A notification that names both outcomes of a dead run is sent once for it.
        Assert.Equal(2, (await EventsAsync(t, "sync.either")).Count);
    }

    [Fact]
    public async Task Cancelling_a_queued_run_sends_cancelled()
    {
        await using var t = await EngineAsync();
        await t.Engine.SaveJobAsync(TestEngine.Job("sync", "flaky", j => j with { Notify = [new Notification { On = [NotifyOn.Cancelled], Event = "sync.cancelled" }] }));
        var id = (await t.Engine.RunNowAsync("sync")).RunId; // not started: the engine is not running

        await t.Client.CancelRunAsync(id);

        var data = JsonNode.Parse(Assert.Single(await EventsAsync(t, "sync.cancelled")).Data!)!;
        Assert.Equal("cancelled", (string)data["state"]!);
        Assert.Equal(id, (long)data["id"]!);
    }

    [Fact]
    public async Task An_http_notification_is_delivered_by_a_run_of_kairos_notify_with_json_templates_and_secrets()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 204));
        Environment.SetEnvironmentVariable("KAIROS_TEST_NOTIFY_TOKEN", "n0tify-s3cret");
        try
        {
            await using var t = await EngineAsync(configure: o =>
            {
                o.OutboundHttpAllow.Add("127.0.0.1");
                o.DeclaredSecrets["notify-token"] = "env:KAIROS_TEST_NOTIFY_TOKEN";
            });
            var http = new HttpExecutorSpec("POST", server.BaseUrl + "/runs/{{run.id}}")
            {
                Headers = new Dictionary<string, string> { ["X-Token"] = "{{secrets.notify-token}}" },
                Body = """{"output":"{{run.output}}","text":"{{run.job}} {{run.state}}: {{run.output.note}}","error":"{{run.error}}"}""",
            };
            await t.Engine.SaveJobAsync(TestEngine.Job("sync", "flaky", j => j with { Notify = [new Notification { On = [NotifyOn.Succeeded], Http = http }] }));
            await t.StartAsync();

            var id = (await t.Engine.RunNowAsync("sync", "{}")).RunId;
            await t.WaitForStateAsync(id, RunState.Succeeded);
            var delivery = Assert.Single(await t.Store.ListRunsAsync(new RunQuery { JobName = "kairos.notify" }, CancellationToken.None));
            await t.WaitForStateAsync(delivery.Id, RunState.Succeeded);

            Assert.Equal(id, delivery.ParentRunId);
            Assert.Equal("notification", delivery.Source);
            var request = Assert.Single(server.Requests);
            Assert.Equal($"/runs/{id}", request.PathAndQuery);
            Assert.Equal("n0tify-s3cret", request.Headers["X-Token"]);
            var body = JsonNode.Parse(request.Body)!;
            Assert.Equal(2, (int)body["output"]!["rows"]!);
            Assert.Equal("sync succeeded: a \"quoted\"\nline", (string)body["text"]!);
            Assert.Null(body["error"]);
            Assert.DoesNotContain("n0tify-s3cret", (await t.RunAsync(delivery.Id)).Payload);
            Assert.Contains("notification.enqueued", await t.JournalKindsAsync(id));
        }
        finally
        {
            Environment.SetEnvironmentVariable("KAIROS_TEST_NOTIFY_TOKEN", null);
        }
    }

    [Fact]
    public async Task An_http_notification_to_loopback_is_refused_by_the_outbound_guard()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 204));
        await using var t = await EngineAsync();
        var http = new HttpExecutorSpec("POST", server.BaseUrl + "/") { Body = """{"id":"{{run.id}}"}""" };
        await t.Engine.SaveJobAsync(TestEngine.Job("sync", "flaky", j => j with { Notify = [new Notification { On = [NotifyOn.Succeeded], Http = http }] }));
        await t.StartAsync();

        await t.WaitForStateAsync((await t.Engine.RunNowAsync("sync", "{}")).RunId, RunState.Succeeded);
        var delivery = Assert.Single(await t.Store.ListRunsAsync(new RunQuery { JobName = "kairos.notify" }, CancellationToken.None));
        var dead = await t.WaitForStateAsync(delivery.Id, RunState.Dead);

        Assert.Contains("127.0.0.1", dead.Error);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Notifications_are_validated_and_the_delivery_jobs_name_is_reserved()
    {
        await using var t = await EngineAsync(TestStore.Memory);
        var invalid = TestEngine.Job("sync", "flaky", j => j with
        {
            Notify =
            [
                new Notification { On = [], Event = "x.y" },
                new Notification { On = [NotifyOn.Dead] },
                new Notification { On = [NotifyOn.Dead], Event = "run.failed" },
                new Notification { On = [NotifyOn.Dead], Http = new HttpExecutorSpec("POST", "ftp://x/") { Body = "{{secrets.k}}" } },
            ],
        });
        var ex = await Assert.ThrowsAsync<KairosValidationException>(() => t.Engine.SaveJobAsync(invalid));
        Assert.Contains("notify[0].on: must name at least one", ex.Message);
        Assert.Contains("notify[1]: needs exactly one of http or event", ex.Message);
        Assert.Contains("notify[2].event: 'run.failed' is an event type Kairos publishes itself", ex.Message);
        Assert.Contains("notify[3]: http.url:", ex.Message);
        Assert.Contains("notify[3]: http.body: secret 'k' may only be used in HTTP header values", ex.Message);

        var reserved = await Assert.ThrowsAsync<KairosValidationException>(() => t.Engine.SaveJobAsync(TestEngine.Job("kairos.notify")));
        Assert.Contains("internal job that delivers notifications", reserved.Message);
    }

    [Fact]
    public void Notify_round_trips_through_the_api_json()
    {
        const string json = """
            {"name": "sync", "executor": {"kind": "handler", "handler": "flaky"},
             "notify": [{"on": ["failed", "dead"], "event": "sync.down"},
                        {"on": ["succeeded"], "http": {"method": "POST", "url": "https://hooks.example/x", "body": "{\"id\":\"{{run.id}}\"}"}}]}
            """;
        var job = JsonSerializer.Deserialize<JobDefinition>(json, KairosJson.Input)!;
        Assert.Equal([NotifyOn.Failed, NotifyOn.Dead], job.Notify[0].On);
        Assert.Equal("https://hooks.example/x", job.Notify[1].Http!.Url);
        var written = JsonNode.Parse(JsonSerializer.Serialize(job, KairosJson.Options))!;
        Assert.Equal("dead", (string)written["notify"]![0]!["on"]![1]!);
    }
}
