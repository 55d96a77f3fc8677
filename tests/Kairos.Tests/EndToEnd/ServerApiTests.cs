using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;

namespace Kairos.Tests.EndToEnd;

/// <summary>One real <c>kairos serve</c> process shared by the tests of <see cref="ServerApiTests"/>.</summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    public const string Config = """
        engine:
          workers: 4
        jobs:
          echo-job:
            handler: echo
          report:
            handler: noop
            triggers:
              - cron: "0 9 * * MON-FRI"
                timeZone: Europe/Paris
          nap:
            handler: sleep
            retry: { maxAttempts: 1 }
          failing:
            handler: fail
            retry: { maxAttempts: 1 }
          greet:
            command: ["/bin/echo", "hello {{payload.who}}"]
          pausable:
            handler: noop
        """;

    public static readonly string[] JobNames = ["echo-job", "report", "nap", "failing", "greet", "pausable"];

    private readonly TempDirectory _directory = new();

    public KairosServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var config = _directory.File("kairos.yaml");
        await File.WriteAllTextAsync(config, Config);
        Server = await KairosServerProcess.StartAsync(config, _directory.File("kairos.db"));
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
        _directory.Dispose();
    }
}

/// <summary>The REST API and the CLI's client commands against a real server process over loopback HTTP.</summary>
public sealed class ServerApiTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>
{
    private KairosServerProcess Server => fixture.Server;
    private HttpClient Http => fixture.Server.Http;

    [Fact]
    public async Task The_dashboard_and_its_stylesheet_are_served_from_the_assembly_in_the_servers_own_directory()
    {
        // The process runs in its config's temp directory, far from the source tree: the assets travel inside the assembly.
        var overview = await Http.GetStringAsync("/");
        using var stylesheet = await Http.GetAsync("/assets/dashboard.css");

        Assert.Contains("Runs per minute, last hour", overview); // No key exists: this machine is the local admin, as over the API.
        Assert.Equal((HttpStatusCode.OK, "text/css"), (stylesheet.StatusCode, stylesheet.Content.Headers.ContentType?.MediaType));
        Assert.Contains("prefers-color-scheme: dark", await stylesheet.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Jobs_list_shows_every_configured_job_and_the_next_fire_time_of_its_trigger()
    {
        var jobs = (await Server.GetJsonAsync("api/jobs")).AsArray();

        Assert.Equal(ApiServerFixture.JobNames.Order(), jobs.Select(j => (string)j!["name"]!).Order());
        Assert.NotNull(jobs.Single(j => (string)j!["name"]! == "greet")!["command"]); // Its executor kind is its key, as in YAML.

        var report = jobs.Single(j => (string)j!["name"]! == "report")!;
        Assert.Equal("0 9 * * MON-FRI", (string?)Assert.Single(report["triggers"]!.AsArray())!["cron"]);
        var trigger = Assert.Single(report["status"]!["triggers"]!.AsArray())!;
        var next = DateTimeOffset.Parse((string)trigger["nextFireAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        var paris = TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"));
        Assert.True(next > DateTimeOffset.UtcNow, $"next fire {next:o} is not in the future");
        Assert.True(next < DateTimeOffset.UtcNow.AddDays(4), $"next fire {next:o} is more than 3 weekdays away");
        Assert.Equal((9, 0, 0), (paris.Hour, paris.Minute, paris.Second));
        Assert.InRange(paris.DayOfWeek, DayOfWeek.Monday, DayOfWeek.Friday);

        var echo = jobs.Single(j => (string)j!["name"]! == "echo-job")!;
        Assert.Null(echo["triggers"]);
        Assert.Empty(echo["status"]!["triggers"]!.AsArray());
        Assert.False((bool)echo["paused"]!);
    }

    [Fact]
    public async Task Run_with_wait_answers_200_with_the_finished_run_and_its_output()
    {
        using var response = await PostAsync("api/jobs/echo-job/run?wait=10s", """{"greeting":"hi","n":2}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await JsonAsync(response);
        Assert.Equal("succeeded", (string)run["state"]!);
        Assert.Equal("echo-job", (string)run["job"]!);
        Assert.Equal("manual", (string)run["source"]!);
        Assert.Equal(1, (int)run["attempt"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"greeting":"hi","n":2}"""), run["output"]), $"output was {run["output"]?.ToJsonString()}");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"greeting":"hi","n":2}"""), run["payload"]));
    }

    [Fact]
    public async Task Run_without_wait_answers_202_with_the_run_id_and_the_run_then_succeeds()
    {
        using var response = await PostAsync("api/jobs/echo-job/run", """{"x":1}""");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await JsonAsync(response);
        var id = (long)accepted["runId"]!;
        Assert.True(id > 0);
        Assert.True((bool)accepted["created"]!);
        Assert.Equal($"/api/runs/{id}", response.Headers.Location?.OriginalString);

        var run = await WaitForStateAsync(id, "succeeded");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"x":1}"""), run["output"]));
    }

    [Fact]
    public async Task The_same_idempotency_key_twice_gives_the_same_run_and_created_false()
    {
        var key = "k-" + Guid.NewGuid().ToString("N");

        using var first = await PostAsync($"api/jobs/echo-job/run?idempotencyKey={key}", """{"n":1}""");
        using var second = await PostAsync($"api/jobs/echo-job/run?idempotencyKey={key}", """{"n":2}""");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var a = await JsonAsync(first);
        var b = await JsonAsync(second);
        Assert.True((bool)a["created"]!);
        Assert.False((bool)b["created"]!);
        Assert.Equal((long)a["runId"]!, (long)b["runId"]!);

        var runs = (await Server.GetJsonAsync("api/runs?job=echo-job&limit=10000")).AsArray();
        var withKey = Assert.Single(runs, r => (string?)r!["idempotencyKey"] == key)!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"n":1}"""), withKey["payload"]), "the second request must not replace the first payload");
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_a_400_problem_and_stores_no_run()
    {
        var before = await CountRunsAsync("echo-job");

        using var response = await PostAsync("api/jobs/echo-job/run", "{not json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains("not valid JSON", (string)problem["detail"]!);
        Assert.Equal(400, (int)problem["status"]!);
        Assert.Equal(before, await CountRunsAsync("echo-job"));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("2h")]
    [InlineData("99999999999d")] // Overflowed the duration arithmetic: a 500 before.
    public async Task A_bad_wait_is_a_400_problem_and_stores_no_run(string wait)
    {
        var before = await CountRunsAsync("echo-job");

        using var response = await PostAsync($"api/jobs/echo-job/run?wait={wait}", """{"w":1}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"wait '{wait}'", (string)(await ProblemAsync(response))["detail"]!);
        Assert.Equal(before, await CountRunsAsync("echo-job")); // A refused request must not have started anything.
    }

    [Fact]
    public async Task Running_an_unknown_job_is_a_404_problem_naming_the_job()
    {
        using var response = await PostAsync("api/jobs/no-such-job/run", "");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains("'no-such-job'", (string)problem["detail"]!);
    }

    [Fact]
    public async Task A_paused_job_refuses_runs_with_409_until_it_is_resumed()
    {
        using (var pause = await PostAsync("api/jobs/pausable/pause", null))
        {
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
            Assert.True((bool)(await JsonAsync(pause))["paused"]!);
        }
        var before = await CountRunsAsync("pausable");

        using (var refused = await PostAsync("api/jobs/pausable/run", ""))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("paused", (string)(await ProblemAsync(refused))["detail"]!);
        }
        Assert.Equal(before, await CountRunsAsync("pausable"));

        using (var resume = await PostAsync("api/jobs/pausable/resume", null))
        {
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
            Assert.False((bool)(await JsonAsync(resume))["paused"]!);
        }
        using var run = await PostAsync("api/jobs/pausable/run?wait=10s", "");
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Equal("succeeded", (string)(await JsonAsync(run))["state"]!);
    }

    [Fact]
    public async Task Cancelling_a_running_sleep_ends_it_cancelled()
    {
        using var response = await PostAsync("api/jobs/nap/run", """{"ms":60000}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (long)(await JsonAsync(response))["runId"]!;
        await WaitForStateAsync(id, "running");

        using var cancel = await PostAsync($"api/runs/{id}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancel-requested", (string)(await JsonAsync(cancel))["result"]!);
        var started = DateTimeOffset.UtcNow;
        var run = await WaitForStateAsync(id, "cancelled");
        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(10), "the 60 s sleep was not interrupted");
        Assert.Equal("cancelled on request", (string?)run["error"]);
        var kinds = await JournalKindsAsync(id);
        Assert.Equal(new[] { "run.enqueued", "run.started", "run.cancel-requested", "run.cancelled" }, kinds);

        using var again = await PostAsync($"api/runs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task A_failing_job_with_one_attempt_ends_dead_and_retry_queues_it_again()
    {
        using var response = await PostAsync("api/jobs/failing/run?wait=10s", """{"message":"boom on purpose"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var dead = await JsonAsync(response);
        Assert.Equal("dead", (string)dead["state"]!);
        Assert.Contains("boom on purpose", (string)dead["error"]!);
        Assert.Equal(1, (int)dead["attempt"]!);
        var id = (long)dead["id"]!;

        using var retry = await PostAsync($"api/runs/{id}/retry", null);

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var retried = await JsonAsync(retry);
        Assert.Equal(id, (long)retried["id"]!);
        Assert.Equal("queued", (string)retried["state"]!);
        Assert.Equal(2, (int)retried["maxAttempts"]!);
        var again = await WaitForStateAsync(id, "dead");
        Assert.Equal(2, (int)again["attempt"]!);
        Assert.Equal(
            new[] { "run.enqueued", "run.started", "run.failed", "run.dead", "run.retried", "run.started", "run.failed", "run.dead" },
            await JournalKindsAsync(id));
    }

    [Fact]
    public async Task A_run_shows_its_journal_in_order()
    {
        using var response = await PostAsync("api/jobs/echo-job/run?wait=10s", """{"j":true}""");
        var id = (long)(await JsonAsync(response))["id"]!;

        var detail = await Server.GetJsonAsync($"api/runs/{id}");

        Assert.Equal(id, (long)detail["run"]!["id"]!);
        Assert.Equal("succeeded", (string)detail["run"]!["state"]!);
        var journal = detail["journal"]!.AsArray();
        Assert.Equal(new[] { "run.enqueued", "run.started", "run.succeeded" }, journal.Select(e => (string)e!["kind"]!));
        Assert.All(journal, e => Assert.Equal(id, (long)e!["runId"]!));
        Assert.All(journal, e => Assert.False(string.IsNullOrEmpty((string?)e!["node"])));
        var seqs = journal.Select(e => (long)e!["seq"]!).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Equal("manual", (string)journal[0]!["data"]!["source"]!);
        Assert.Equal(1, (int)journal[1]!["data"]!["attempt"]!);
    }

    [Fact]
    public async Task A_command_job_has_its_templated_stdout_in_the_run_log()
    {
        using var response = await PostAsync("api/jobs/greet/run?wait=10s", """{"who":"e2e world"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await JsonAsync(response);
        Assert.Equal("succeeded", (string)run["state"]!);
        var id = (long)run["id"]!;

        var log = (await Server.GetJsonAsync($"api/runs/{id}/log"))["lines"]!.AsArray();

        Assert.Contains(log, l => (string)l!["stream"]! == "stdout" && (string)l["text"]! == "hello e2e world");
    }

    [Theory]
    [InlineData("GET", "/nope")]
    [InlineData("GET", "/api/nothing-here")]
    [InlineData("POST", "/api/jobs/echo-job/explode")]
    public async Task An_unknown_route_is_a_404_problem(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains(path, (string)problem["detail"]!);
        Assert.Contains("/api", (string)problem["detail"]!);
    }

    [Fact]
    public async Task Cli_jobs_list_prints_a_table_of_the_jobs()
    {
        var result = await Cli.RunAsync("jobs", "list", "--server", Server.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", lines[0]);
        Assert.Contains("NEXT FIRE", lines[0]);
        foreach (var name in ApiServerFixture.JobNames)
        {
            Assert.Contains(lines, l => l.StartsWith(name + " ", StringComparison.Ordinal));
        }
        var report = lines.Single(l => l.StartsWith("report ", StringComparison.Ordinal));
        Assert.Matches(@"\d{4}-\d{2}-\d{2} (07|08):00:00Z", report); // 09:00 Paris is 07:00 or 08:00 UTC.
        Assert.Contains("command", lines.Single(l => l.StartsWith("greet ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_node_lists_itself_as_the_alive_leader_in_the_api_health_and_cli()
    {
        var health = await Server.GetJsonAsync("/healthz");
        var id = health["node"]!.GetValue<string>();
        await Eventually.TrueAsync(async () => (await Server.GetJsonAsync("/healthz"))["leader"]!.GetValue<bool>(), "the only node to lead");

        var node = Assert.Single((await Server.GetJsonAsync("/api/nodes")).AsArray())!;
        Assert.Equal((id, true, true), (node["id"]!.GetValue<string>(), node["leader"]!.GetValue<bool>(), node["alive"]!.GetValue<bool>()));
        Assert.Equal(Environment.MachineName, node["host"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(node["version"]!.GetValue<string>()));
        Assert.True(node["lastSeenAt"]!.GetValue<DateTimeOffset>() >= node["startedAt"]!.GetValue<DateTimeOffset>());

        var result = await Cli.RunAsync("nodes", "--server", Server.Url);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NODE", lines[0]);
        Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(id)} .* leader +yes\s*$", lines[1]);
    }

    [Fact]
    public async Task Cli_jobs_run_with_wait_and_json_prints_the_finished_run()
    {
        var result = await Cli.RunAsync("jobs", "run", "echo-job", "--data", """{"a":1}""", "--wait", "--json", "--server", Server.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        var run = JsonNode.Parse(result.Stdout)!;
        Assert.Equal("succeeded", (string)run["state"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":1}"""), run["output"]));
        var stored = await Server.GetJsonAsync($"api/runs/{(long)run["id"]!}");
        Assert.Equal("succeeded", (string)stored["run"]!["state"]!);
    }

    [Fact]
    public async Task Cli_runs_show_prints_the_run_and_its_journal()
    {
        using var response = await PostAsync("api/jobs/echo-job/run?wait=10s", """{"show":1}""");
        var id = (long)(await JsonAsync(response))["id"]!;

        var result = await Cli.RunAsync("runs", "show", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--server", Server.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\"state\": \"succeeded\"", result.Stdout);
        var journal = result.Stdout[result.Stdout.IndexOf("journal:", StringComparison.Ordinal)..];
        var enqueued = journal.IndexOf("run.enqueued", StringComparison.Ordinal);
        var started = journal.IndexOf("run.started", StringComparison.Ordinal);
        var succeeded = journal.IndexOf("run.succeeded", StringComparison.Ordinal);
        Assert.True(enqueued > 0 && started > enqueued && succeeded > started, result.ToString());
    }

    [Fact]
    public async Task Cli_against_an_unreachable_server_exits_1_and_suggests_kairos_serve()
    {
        var result = await Cli.RunAsync("jobs", "list", "--server", "http://127.0.0.1:1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("kairos serve", result.Stderr);
        Assert.Contains("http://127.0.0.1:1", result.Stderr);
        Assert.Equal("", result.Stdout);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string? body)
    {
        using var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
        return await Http.PostAsync(path, content);
    }

    private static async Task<JsonNode> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"{(int)response.StatusCode} {response.Content.Headers.ContentType}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{(int)response.StatusCode} {response.Content.Headers.ContentType}: {text}");
        var problem = JsonNode.Parse(text)!;
        Assert.Equal((int)response.StatusCode, (int)problem["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["title"]));
        return problem;
    }

    private async Task<int> CountRunsAsync(string job) => (await Server.GetJsonAsync($"api/runs?job={job}&limit=10000")).AsArray().Count;

    private async Task<IReadOnlyList<string>> JournalKindsAsync(long id) =>
        (await Server.GetJsonAsync($"api/runs/{id}/journal")).AsArray().Select(e => (string)e!["kind"]!).ToList();

    private async Task<JsonNode> WaitForStateAsync(long id, string state, int timeoutMs = 10_000)
    {
        JsonNode? run = null;
        await Poll.UntilAsync(async () =>
        {
            run = (await Server.GetJsonAsync($"api/runs/{id}"))["run"];
            return (string?)run!["state"] == state;
        }, () => $"run {id} to be {state} (last seen {run?["state"]}); server output:\n{Server.Output}", TimeSpan.FromMilliseconds(timeoutMs));
        return run!;
    }
}
