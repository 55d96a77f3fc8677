using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Configuration.Schema;
using Kairos.Tests.Configuration;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>
/// Jobs, subscriptions and webhooks over real HTTP in the schema of the YAML file: what a GET answers
/// a PUT takes back unchanged, for every executor and trigger kind; a body in the former shape or
/// with a mistake is a 400 naming the field; <c>kairos jobs create NAME</c> builds the same schema from flags.
/// </summary>
public sealed class JobSchemaApiTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("""
        api: { allowCommandJobs: true }
        webhooks:
          github: {}
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        using var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private async Task<JsonNode> OkAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        var (status, answer) = await SendAsync(method, path, body);
        Assert.True(status == HttpStatusCode.OK, $"{method} {path}: {status} {answer?.ToJsonString()}");
        return answer!;
    }

    private static JsonNode WithoutStatus(JsonNode node)
    {
        var copy = node.DeepClone().AsObject();
        copy.Remove("status");
        return copy;
    }

    [Fact]
    public async Task What_a_GET_answers_a_PUT_takes_back_unchanged_for_every_executor_and_trigger_kind()
    {
        var config = YamlConfigLoader.Load(DefinitionSchemaTests.EveryKind, "every-kind.yaml");
        // Each after the jobs it names: a completion trigger and a workflow step name other jobs.
        foreach (var name in (string[])["commanded", "handled", "fetched", "flowing"])
        {
            var written = DefinitionWriter.Job(config.Jobs.Single(j => j.Name == name));
            var created = await OkAsync(HttpMethod.Put, $"/api/jobs/{name}", written);
            var shown = await OkAsync(HttpMethod.Get, $"/api/jobs/{name}");
            var again = await OkAsync(HttpMethod.Put, $"/api/jobs/{name}", shown);

            Assert.Equal(written.ToJsonString(), WithoutStatus(shown).ToJsonString());
            Assert.Equal(WithoutStatus(created).ToJsonString(), WithoutStatus(again).ToJsonString());
            Assert.Equal(written["triggers"]?.AsArray().Count ?? 0, shown["status"]!["triggers"]!.AsArray().Count);
        }
        var listed = await OkAsync(HttpMethod.Get, "/api/jobs");
        Assert.Equal(["commanded", "fetched", "flowing", "handled"], listed.AsArray().Select(j => (string)j!["name"]!));
    }

    [Fact]
    public async Task Subscriptions_and_webhooks_round_trip_in_the_same_schema()
    {
        await OkAsync(HttpMethod.Put, "/api/jobs/ship", new JsonObject { ["handler"] = "echo" });
        var subscription = new JsonObject { ["events"] = "order.*", ["filter"] = JsonNode.Parse("""{"data.amount": {"$gt": 100}}"""), ["job"] = "ship", ["active"] = false };
        var hook = JsonNode.Parse("""{"verify": "bearer", "secretEnv": "HOME", "replayWindow": "10m", "rateLimit": {"requests": 10, "per": "1s"}, "publish": "hook.received"}""")!;

        foreach (var (path, body) in new[] { ("/api/subscriptions/big", (JsonNode)subscription), ("/api/webhooks/in", hook) })
        {
            await OkAsync(HttpMethod.Put, path, body);
            var shown = await OkAsync(HttpMethod.Get, path);
            var again = await OkAsync(HttpMethod.Put, path, shown);
            Assert.Equal(shown.ToJsonString(), again.ToJsonString());
            foreach (var (key, value) in body.AsObject())
            {
                Assert.Equal(value!.ToJsonString(), shown[key]?.ToJsonString());
            }
        }
        Assert.Equal("/hooks/in", (string?)(await OkAsync(HttpMethod.Get, "/api/webhooks/in"))["status"]!["url"]);
    }

    [Theory]
    [InlineData("/api/jobs/y", """{"executor": {"kind": "handler", "handler": "echo"}}""", "executor: unknown key 'executor' in job 'y': use handler:, command:, http: or workflow: as in YAML")]
    [InlineData("/api/jobs/y", """{"handler": "echo", "triggers": [{"cron": "0 9 * * *"}, {"cron": "not cron"}]}""", "triggers[1].cron: invalid cron expression 'not cron'")]
    [InlineData("/api/jobs/y", """{"handler": "echo", "retry": {"initialDelay": "00:00:10"}}""", "retry.initialDelay: '00:00:10' is written as a clock; write durations as a number and a unit: 10s")]
    [InlineData("/api/jobs/y", """{"handler": "echo", "triggers": [{"poll": "p", "interval": "10m"}]}""", "a trigger needs exactly one of")]
    [InlineData("/api/subscriptions/s", """{"pattern": "order.*", "job": "y"}""", "pattern: unknown key 'pattern' in subscription 's': use events: for the event type pattern")]
    [InlineData("/api/webhooks/h", """{"rateLimitRequests": 0}""", "rateLimitRequests: unknown key 'rateLimitRequests' in webhook 'h': use rateLimit: { requests: N, per: 1s }")]
    public async Task A_body_in_the_former_shape_or_with_a_mistake_is_a_400_naming_the_field(string path, string body, string expected)
    {
        var (status, problem) = await SendAsync(HttpMethod.Put, path, JsonNode.Parse(body));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, (string?)problem!["detail"]);
    }

    private Task<(int Exit, string Output, string Error)> CliAsync(params string[] args) => CliRunner.RunAsync([.. args, "--server", _server.Url]);

    [Fact]
    public async Task Jobs_create_with_flags_builds_the_same_schema_and_the_server_names_a_bad_value()
    {
        var made = await CliAsync("jobs", "create", "report", "--handler", "echo", "--cron", "0 9 * * 1-5", "--every", "10m", "--queue", "reports", "--retries", "4");
        var listed = await CliAsync("jobs", "create", "list-files", "--command", "/bin/ls", "-la", "/tmp");
        var bad = await CliAsync("jobs", "create", "late", "--http", "https://example.com", "--every", "00:10:00");

        Assert.True(made.Exit == 0, made.Error);
        Assert.Equal("job 'report' created (2 trigger(s))", made.Output.Trim());
        var report = await OkAsync(HttpMethod.Get, "/api/jobs/report");
        Assert.Equal("""{"name":"report","handler":"echo","queue":"reports","priority":5,"retry":{"maxAttempts":5},"paused":false,"triggers":[{"cron":"0 9 * * 1-5"},{"interval":"10m"}]}""",
            WithoutStatus(report).ToJsonString());
        Assert.True(listed.Exit == 0, listed.Error);
        Assert.Equal("""["/bin/ls","-la","/tmp"]""", (await OkAsync(HttpMethod.Get, "/api/jobs/list-files"))["command"]!["argv"]!.ToJsonString());
        Assert.Equal(1, bad.Exit);
        Assert.Contains("triggers[0].interval: '00:10:00' is written as a clock; write durations as a number and a unit: 10m", bad.Error);
    }
}
