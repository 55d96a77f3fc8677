using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Polling;
using Kairos.Storage;
using Kairos.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kairos.Tests.Engine.Triggers;

/// <summary>
/// Poll triggers through the real engine on a real SQLite file with a manual clock: failures and
/// backoff, timeouts, de-duplication, restarts, and the built-in HTTP (real loopback server) and SQL
/// (real SQLite database) pollers. Each step waits until the trigger's loop waits for its next poll
/// time, then moves the clock exactly there.
/// </summary>
public sealed class PollTriggerTests
{
    private static readonly DateTimeOffset T0 = TestEngine.DefaultStart;
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_failing_poll_is_journaled_backs_off_while_it_keeps_failing_and_resets_after_a_success()
    {
        var calls = 0;
        await using var t = await TestEngine.CreateAsync(s => s.AddPollTrigger("flaky", Every, (_, _) =>
            ++calls <= 3 ? throw new InvalidOperationException($"source down ({calls})") : Task.FromResult(PollResult.Skip)));
        await t.Engine.SaveJobAsync(TestEngine.Job("flaky", change: j => j with { Triggers = [new PollTriggerSpec { Poller = "flaky" }] }));
        await t.StartAsync();
        var trigger = await TriggerAsync(t, "flaky");

        await PolledAsync(t, trigger, T0); // Never polled: at once. Fails (1).
        Assert.Equal(1, (await StateAsync(t, trigger))!.Failures);
        await PollAtAsync(t, trigger, T0 + Every); // 1 failure: the interval. Fails (2).
        await PollAtAsync(t, trigger, T0 + Every + (2 * Every)); // 2 in a row: 2 × interval. Fails (3).
        Assert.Equal(3, (await StateAsync(t, trigger))!.Failures);
        await PollAtAsync(t, trigger, T0 + (3 * Every) + (4 * Every)); // 3 in a row: 4 × interval. Succeeds.
        Assert.Equal(0, (await StateAsync(t, trigger))!.Failures);
        await NextPollAsync(t, trigger, T0 + (8 * Every)); // Reset: back to the interval.

        var failures = (await t.Store.ListJournalAsync(new JournalQuery { JobName = "flaky" }, CancellationToken.None))
            .Where(e => e.Kind == "poll.failed").ToList();
        Assert.Equal(3, failures.Count);
        Assert.All(failures, f => Assert.Equal(trigger.Id, f.TriggerId));
        Assert.Equal([1, 2, 3], failures.Select(f => JsonDocument.Parse(f.Data!).RootElement.GetProperty("consecutiveFailures").GetInt32()));
        Assert.Contains("source down (2)", failures[1].Data, StringComparison.Ordinal);
        Assert.Equal(4, calls);
        Assert.Empty(await RunsAsync(t, "flaky"));
    }

    [Fact]
    public async Task A_trigger_naming_no_registered_poller_fails_its_polls_with_a_message_that_says_so()
    {
        await using var t = await TestEngine.CreateAsync();
        await t.Engine.SaveJobAsync(TestEngine.Job("orphan", change: j => j with { Triggers = [new PollTriggerSpec { Poller = "missing", Interval = Every }] }));
        await t.StartAsync();
        var trigger = await TriggerAsync(t, "orphan");

        await PolledAsync(t, trigger, T0);
        var failure = Assert.Single(await t.Store.ListJournalAsync(new JournalQuery { JobName = "orphan" }, CancellationToken.None), e => e.Kind == "poll.failed");
        Assert.Contains("no poll trigger named 'missing' is registered", failure.Data, StringComparison.Ordinal);
        await NextPollAsync(t, trigger, T0 + Every);
    }

    [Fact]
    public async Task A_poll_that_hangs_past_its_timeout_counts_as_failed_and_the_next_poll_still_happens()
    {
        var calls = 0;
        var hanging = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var t = await TestEngine.CreateAsync(s => s.AddPollTrigger("stuck", Every, (_, _) =>
        {
            if (++calls == 1)
            {
                hanging.SetResult();
                return new TaskCompletionSource<PollResult>().Task; // Never completes and ignores its token.
            }
            return Task.FromResult(PollResult.Fire(new JsonObject { ["call"] = calls }));
        }));
        var spec = new PollTriggerSpec { Poller = "stuck", Timeout = TimeSpan.FromSeconds(5) };
        await t.Engine.SaveJobAsync(TestEngine.Job("stuck", change: j => j with { Triggers = [spec] }));
        await t.StartAsync();
        var trigger = await TriggerAsync(t, "stuck");

        await hanging.Task;
        t.Clock.Advance(TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(async () => (await StateAsync(t, trigger))?.Failures == 1, "the hung poll to be recorded as failed");
        var failure = Assert.Single(await t.Store.ListJournalAsync(new JournalQuery { JobName = "stuck" }, CancellationToken.None), e => e.Kind == "poll.failed");
        Assert.Contains("timeout of 5s", failure.Data, StringComparison.Ordinal);

        await PollAtAsync(t, trigger, T0 + Every);
        Assert.Equal(0, (await StateAsync(t, trigger))!.Failures);
        var run = Assert.Single(await RunsAsync(t, "stuck"));
        Assert.Equal(2, JsonNode.Parse(run.Payload!)!["context"]!["call"]!.GetValue<int>());
    }

    [Fact]
    public async Task With_allow_concurrent_off_a_repeated_context_makes_no_second_run_until_the_first_has_finished()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var t = await TestEngine.CreateAsync(s => s
            .AddPollTrigger("order-ready", Every, (_, _) => Task.FromResult(PollResult.Fire(new JsonObject { ["order"] = 42, ["state"] = "ready" })))
            .AddHandler("ship", async _ =>
            {
                await release.Task;
                return null;
            }));
        await t.Engine.SaveJobAsync(TestEngine.Job("ship", "ship", j => j with { Triggers = [new PollTriggerSpec { Poller = "order-ready" }] }));
        await t.StartAsync();
        var trigger = await TriggerAsync(t, "ship");

        await PolledAsync(t, trigger, T0);
        var first = Assert.Single(await RunsAsync(t, "ship"));
        Assert.Equal("poll", first.Source);
        Assert.Equal(trigger.Id, first.TriggerId);
        var payload = JsonNode.Parse(first.Payload!)!;
        Assert.Equal(42, payload["context"]!["order"]!.GetValue<int>());
        Assert.Equal("2026-01-01T00:00:00.000Z", payload["polledAt"]!.GetValue<string>());
        await t.WaitForStateAsync(first.Id, RunState.Running);

        await PollAtAsync(t, trigger, T0 + Every); // Same context while the first runs: dropped.
        Assert.Single(await RunsAsync(t, "ship"));
        Assert.Contains(await t.Store.ListJournalAsync(new JournalQuery { JobName = "ship" }, CancellationToken.None), e => e.Kind == "run.deduplicated");

        release.SetResult();
        await t.WaitForStateAsync(first.Id, RunState.Succeeded);
        await PollAtAsync(t, trigger, T0 + (2 * Every)); // The first has finished: a new run.
        Assert.Equal(2, (await RunsAsync(t, "ship")).Count);
    }

    [Fact]
    public async Task With_allow_concurrent_on_a_repeated_context_makes_a_run_each_time()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var t = await TestEngine.CreateAsync(s => s
            .AddPollTrigger("order-ready", Every, (_, _) => Task.FromResult(PollResult.Fire(new JsonObject { ["order"] = 42 })))
            .AddHandler("ship", async _ =>
            {
                await release.Task;
                return null;
            }));
        var spec = new PollTriggerSpec { Poller = "order-ready", AllowConcurrent = true }; // The trigger overrides the poller's false.
        await t.Engine.SaveJobAsync(TestEngine.Job("ship", "ship", j => j with { Triggers = [spec] }));
        await t.StartAsync();
        var trigger = await TriggerAsync(t, "ship");

        await PolledAsync(t, trigger, T0);
        var first = Assert.Single(await RunsAsync(t, "ship"));
        await t.WaitForStateAsync(first.Id, RunState.Running);
        await PollAtAsync(t, trigger, T0 + Every);

        var runs = await RunsAsync(t, "ship");
        Assert.Equal(2, runs.Count);
        release.SetResult();
        foreach (var run in runs)
        {
            await t.WaitForStateAsync(run.Id, RunState.Succeeded);
        }
    }

    [Fact]
    public async Task After_a_restart_the_last_poll_time_and_failure_count_decide_when_the_next_poll_is_due()
    {
        using var directory = new TempDirectory();
        var database = directory.File("kairos.db");
        var job = TestEngine.Job("sync", change: j => j with { Triggers = [new PollTriggerSpec { Poller = "source" }] });
        long triggerId;
        await using (var before = await TestEngine.CreateAsync(
            s => s.AddPollTrigger("source", Every, (_, _) => throw new InvalidOperationException("unreachable source")),
            databasePath: database))
        {
            await before.Engine.SaveJobAsync(job);
            await before.StartAsync();
            var trigger = await TriggerAsync(before, "sync");
            triggerId = trigger.Id;
            await PolledAsync(before, trigger, T0); // Fails (1).
            await PollAtAsync(before, trigger, T0 + Every); // Fails (2): next due after 2 × interval, at T0 + 30 s.
            await NextPollAsync(before, trigger, T0 + (3 * Every));
            before.Clock.Advance(TimeSpan.FromSeconds(5));
        }

        var calls = 0;
        await using var after = await TestEngine.CreateAsync(
            s => s.AddPollTrigger("source", Every, (_, _) =>
            {
                Interlocked.Increment(ref calls);
                return Task.FromResult(PollResult.Skip);
            }),
            databasePath: database,
            start: T0 + TimeSpan.FromSeconds(15));
        await after.Engine.SaveJobAsync(job); // Same definition: same trigger, same state.
        var restarted = await TriggerAsync(after, "sync");
        Assert.Equal(triggerId, restarted.Id);
        var stored = (await StateAsync(after, restarted))!;
        Assert.Equal(2, stored.Failures);
        Assert.Equal(T0 + Every, stored.LastPollAt);

        await after.StartAsync();
        await NextPollAsync(after, restarted, T0 + (3 * Every)); // Not at once, and with the backoff of 2 failures.
        Assert.Equal(0, calls);
        await PollAtAsync(after, restarted, T0 + (3 * Every));
        Assert.Equal(1, calls);
        Assert.Equal(0, (await StateAsync(after, restarted))!.Failures);
    }

    [Fact]
    public async Task A_paused_job_is_not_polled_until_it_is_resumed()
    {
        var calls = 0;
        await using var t = await TestEngine.CreateAsync(s => s.AddPollTrigger("source", Every, (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult(PollResult.Fire(new JsonObject { ["n"] = calls }));
        }));
        await t.Engine.SaveJobAsync(TestEngine.Job("paused", change: j => j with { Paused = true, Triggers = [new PollTriggerSpec { Poller = "source" }] }));
        await t.StartAsync();
        var trigger = await TriggerAsync(t, "paused");

        await NextPollAsync(t, trigger, T0 + Every); // Due at once, found paused: looks again an interval later.
        Assert.Equal(0, calls);
        Assert.Null(await StateAsync(t, trigger));

        await t.Engine.SetPausedAsync("paused", false);
        await PollAtAsync(t, trigger, T0 + Every);
        Assert.Equal(1, calls);
        Assert.Single(await RunsAsync(t, "paused"));
    }

    [Fact]
    public async Task Http_poll_fires_when_the_status_matches_and_sends_the_headers()
    {
        await using var server = await StubServer.StartAsync();
        server.Set(503, """{"ok":false}""");
        await using var t = await TestEngine.CreateAsync(configure: AllowLoopback);
        var http = new HttpPollSpec(server.Url) { Status = 200, Headers = new Dictionary<string, string> { ["X-Token"] = "s3cret" } };
        await t.Engine.SaveJobAsync(TestEngine.Job("health", change: j => j with { Triggers = [new PollTriggerSpec { Http = http, Interval = Every }] }));
        await t.StartAsync();
        var trigger = await TriggerAsync(t, "health");

        await PolledAsync(t, trigger, T0);
        Assert.Empty(await RunsAsync(t, "health"));
        Assert.Equal("s3cret", server.LastToken);

        server.Set(200, """{"ok":true}""");
        await PollAtAsync(t, trigger, T0 + Every);
        var context = Context(Assert.Single(await RunsAsync(t, "health")));
        Assert.Equal(200, context["status"]!.GetValue<int>());
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task Http_poll_sends_a_named_secret_in_a_header()
    {
        await using var server = await StubServer.StartAsync();
        Environment.SetEnvironmentVariable("KAIROS_TEST_POLL_TOKEN", "poll-s3cret");
        try
        {
            await using var t = await TestEngine.CreateAsync(configure: o =>
            {
                AllowLoopback(o);
                o.DeclaredSecrets["poll-token"] = "env:KAIROS_TEST_POLL_TOKEN";
            });
            var http = new HttpPollSpec(server.Url) { Status = 200, Headers = new Dictionary<string, string> { ["X-Token"] = "{{secrets.poll-token}}" } };
            await t.Engine.SaveJobAsync(TestEngine.Job("health", change: j => j with { Triggers = [new PollTriggerSpec { Http = http, Interval = Every }] }));
            await t.StartAsync();

            await PolledAsync(t, await TriggerAsync(t, "health"), T0);

            Assert.Equal("poll-s3cret", server.LastToken);
        }
        finally
        {
            Environment.SetEnvironmentVariable("KAIROS_TEST_POLL_TOKEN", null);
        }
    }

    [Fact]
    public async Task Http_poll_of_an_unlisted_loopback_service_fails_and_never_reaches_it()
    {
        await using var server = await StubServer.StartAsync();
        await using var t = await TestEngine.CreateAsync();
        var http = new HttpPollSpec(server.Url) { Status = 200 };
        await t.Engine.SaveJobAsync(TestEngine.Job("peek", change: j => j with { Triggers = [new PollTriggerSpec { Http = http, Interval = Every }] }));
        await t.StartAsync();
        var trigger = await TriggerAsync(t, "peek");

        await PolledAsync(t, trigger, T0);

        var failure = Assert.Single(await t.Store.ListJournalAsync(new JournalQuery { JobName = "peek" }, CancellationToken.None), e => e.Kind == "poll.failed");
        Assert.Contains("loopback", failure.Data, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
        Assert.Empty(await RunsAsync(t, "peek"));
    }

    [Fact]
    public async Task Http_poll_fires_when_the_field_equals_the_value()
    {
        await using var server = await StubServer.StartAsync();
        server.Set(200, """{"job":{"state":"running","steps":[1,2]}}""");
        await using var t = await TestEngine.CreateAsync(configure: AllowLoopback);
        var http = new HttpPollSpec(server.Url) { Field = "job.state", EqualsJson = "\"done\"" };
        await t.Engine.SaveJobAsync(TestEngine.Job("report", change: j => j with { Triggers = [new PollTriggerSpec { Http = http, Interval = Every }] }));
        await t.StartAsync();
        var trigger = await TriggerAsync(t, "report");

        await PolledAsync(t, trigger, T0);
        Assert.Empty(await RunsAsync(t, "report"));

        server.Set(200, """{"job":{"state":"done","steps":[1,2,3]}}""");
        await PollAtAsync(t, trigger, T0 + Every);
        var context = Context(Assert.Single(await RunsAsync(t, "report")));
        Assert.Equal("done", context["value"]!.GetValue<string>());
        Assert.Equal("running", context["previous"]!.GetValue<string>());
    }

    [Fact]
    public async Task Http_poll_on_change_records_the_first_value_and_fires_only_when_it_changes()
    {
        await using var server = await StubServer.StartAsync();
        server.Set(200, """{"version":1}""");
        await using var t = await TestEngine.CreateAsync(configure: AllowLoopback);
        var http = new HttpPollSpec(server.Url) { Field = "version", OnChange = true };
        await t.Engine.SaveJobAsync(TestEngine.Job("deploy", change: j => j with { Triggers = [new PollTriggerSpec { Http = http, Interval = Every }] }));
        await t.StartAsync();
        var trigger = await TriggerAsync(t, "deploy");

        await PolledAsync(t, trigger, T0); // First poll: records 1.
        await PollAtAsync(t, trigger, T0 + Every); // Same value.
        Assert.Empty(await RunsAsync(t, "deploy"));

        server.Set(200, """{"version":2}""");
        await PollAtAsync(t, trigger, T0 + (2 * Every));
        var context = Context(Assert.Single(await RunsAsync(t, "deploy")));
        Assert.Equal(2, context["value"]!.GetValue<int>());
        Assert.Equal(1, context["previous"]!.GetValue<int>());

        await PollAtAsync(t, trigger, T0 + (3 * Every)); // Still 2: nothing new.
        Assert.Single(await RunsAsync(t, "deploy"));
        Assert.Equal(4, server.Requests);
    }

    [Fact]
    public async Task Sql_poll_fires_once_per_new_row_above_the_watermark_in_order_and_not_again_after_a_restart()
    {
        using var directory = new TempDirectory();
        var source = $"Data Source={directory.File("shop.db")};Pooling=False";
        await ExecuteAsync(source, "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL)", "INSERT INTO orders VALUES (2, 'b'), (1, 'a'), (3, 'c')");
        var variable = "KAIROS_TEST_SQL_POLL_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, source);
        try
        {
            // ">=" returns the newest row already seen again, and the order is backwards: the poller filters and sorts.
            var sql = new SqlPollSpec("sqlite", "env:" + variable, "SELECT item, id FROM orders WHERE id >= COALESCE(@watermark, 0) ORDER BY id DESC", "id");
            var job = TestEngine.Job("orders", change: j => j with { Triggers = [new PollTriggerSpec { Sql = sql, Interval = Every }] });
            var database = directory.File("kairos.db");
            await using (var before = await TestEngine.CreateAsync(databasePath: database))
            {
                await before.Engine.SaveJobAsync(job);
                await before.StartAsync();
                var trigger = await TriggerAsync(before, "orders");

                await PolledAsync(before, trigger, T0);
                Assert.Equal(["1:a", "2:b", "3:c"], await FiredRowsAsync(before));

                await ExecuteAsync(source, "INSERT INTO orders VALUES (5, 'e'), (4, 'd')");
                await PollAtAsync(before, trigger, T0 + Every);
                Assert.Equal(["1:a", "2:b", "3:c", "4:d", "5:e"], await FiredRowsAsync(before));

                await PollAtAsync(before, trigger, T0 + (2 * Every)); // Nothing new.
                Assert.Equal(5, (await FiredRowsAsync(before)).Count);
                Assert.Contains("\"value\":5", (await StateAsync(before, trigger))!.Data, StringComparison.Ordinal);
            }

            await using var after = await TestEngine.CreateAsync(databasePath: database, start: T0 + (2 * Every));
            await after.Engine.SaveJobAsync(job);
            await after.StartAsync();
            var restarted = await TriggerAsync(after, "orders");
            await PollAtAsync(after, restarted, T0 + (3 * Every));
            Assert.Equal(5, (await FiredRowsAsync(after)).Count); // The watermark survived: no row fires twice.

            await ExecuteAsync(source, "INSERT INTO orders VALUES (6, 'f')");
            await PollAtAsync(after, restarted, T0 + (4 * Every));
            Assert.Equal(["1:a", "2:b", "3:c", "4:d", "5:e", "6:f"], await FiredRowsAsync(after));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task An_edited_poll_trigger_starts_with_fresh_state_even_when_it_gets_the_old_trigger_id()
    {
        await using var t = await TestEngine.CreateAsync();
        var sql = new SqlPollSpec("sqlite", "Data Source=:memory:", "SELECT 1 AS id", "id");
        await t.Engine.SaveJobAsync(TestEngine.Job("edited", change: j => j with { Triggers = [new PollTriggerSpec { Sql = sql, Interval = Every }] }));
        var old = await TriggerAsync(t, "edited");
        await t.Store.RecordPollAsync(old.Id, new PollState(T0, 2, """{"kind":"integer","value":7}"""), null, null, T0, CancellationToken.None);

        await t.Engine.SaveJobAsync(TestEngine.Job("edited", change: j => j with { Triggers = [new PollTriggerSpec { Sql = sql with { Query = "SELECT 2 AS id" }, Interval = Every }] }));
        var edited = await TriggerAsync(t, "edited");
        Assert.NotEqual(old.Key, edited.Key);
        Assert.Null(await StateAsync(t, edited)); // SQLite may reuse the deleted trigger's id; its state went with it.
    }

    private static async Task<TriggerState> TriggerAsync(TestEngine t, string job) =>
        Assert.Single(await t.Store.ListTriggersAsync(job, CancellationToken.None));

    private static Task<PollState?> StateAsync(TestEngine t, TriggerState trigger) =>
        t.Store.GetPollStateAsync(trigger.Id, CancellationToken.None);

    /// <summary>Waits until the trigger's loop waits for a poll at <paramref name="due"/>.</summary>
    private static Task NextPollAsync(TestEngine t, TriggerState trigger, DateTimeOffset due) =>
        Eventually.TrueAsync(() => t.Engine.Polls.NextPollAt(trigger.Id) == due, $"the next poll of {trigger.Key} to be due at {due:O} (it is {t.Engine.Polls.NextPollAt(trigger.Id):O})");

    /// <summary>Waits until the poll that started at <paramref name="at"/> is recorded, with every run it fired.</summary>
    private static async Task PolledAsync(TestEngine t, TriggerState trigger, DateTimeOffset at)
    {
        await Eventually.TrueAsync(() => t.Engine.Polls.LastRecordedPoll(trigger.Id) == at, $"a poll of {trigger.Key} at {at:O} to be recorded");
        Assert.Equal(at, (await StateAsync(t, trigger))!.LastPollAt);
    }

    /// <summary>Checks the poll is due at <paramref name="due"/>, moves the clock there, and waits until that poll is recorded.</summary>
    private static async Task PollAtAsync(TestEngine t, TriggerState trigger, DateTimeOffset due)
    {
        await NextPollAsync(t, trigger, due);
        t.Clock.SetUtcNow(due);
        await PolledAsync(t, trigger, due);
    }

    private static async Task<List<RunRecord>> RunsAsync(TestEngine t, string job) =>
        (await t.Store.ListRunsAsync(new RunQuery { JobName = job, Limit = 1000 }, CancellationToken.None)).OrderBy(r => r.Id).ToList();

    private static JsonNode Context(RunRecord run) => JsonNode.Parse(run.Payload!)!["context"]!;

    private static async Task<List<string>> FiredRowsAsync(TestEngine t) =>
        (await RunsAsync(t, "orders")).Select(Context).Select(c => $"{c["id"]}:{c["item"]}").ToList();

    private static async Task ExecuteAsync(string connectionString, params string[] statements)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        foreach (var statement in statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A real HTTP server on a free loopback port answering GET / with a settable status and body.</summary>
    /// <summary>The stub server listens on loopback, which HTTP polls may reach only when it is listed.</summary>
    private static void AllowLoopback(KairosOptions options) => options.OutboundHttpAllow.Add("127.0.0.1");

    private sealed class StubServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private volatile Response _response = new(200, "{}");
        private int _requests;

        private StubServer(WebApplication app) => _app = app;

        public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/";
        public int Requests => Volatile.Read(ref _requests);
        public string? LastToken { get; private set; }

        public static async Task<StubServer> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var server = new StubServer(app);
            app.MapGet("/", (HttpContext http) =>
            {
                server.LastToken = http.Request.Headers["X-Token"].FirstOrDefault();
                Interlocked.Increment(ref server._requests);
                var response = server._response;
                return Results.Text(response.Body, "application/json", statusCode: response.Status);
            });
            await app.StartAsync();
            return server;
        }

        public void Set(int status, string body) => _response = new Response(status, body);

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        private sealed record Response(int Status, string Body);
    }
}
