using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>One server shared by <see cref="HostileApiTests"/>: two jobs, a webhook, a subscription.</summary>
public sealed class HostileApiServer : IAsyncLifetime
{
    internal InProcessServer Server { get; private set; } = null!;

    /// <summary>What the hostile requests and the fuzz test try to damage: a job of each kind of trigger, a webhook, a subscription.</summary>
    internal const string Definitions = """
        jobs:
          x:
            handler: echo
          report:
            handler: noop
            triggers:
              - cron: "0 9 * * *"
                timeZone: Europe/Paris
        webhooks:
          h: {}
        subscriptions:
          s:
            events: "order.*"
            job: x
        """;

    // Command jobs are allowed here so that a malformed one reaches validation (elsewhere it is refused first, 403).
    public async Task InitializeAsync() => Server = await InProcessServer.StartAsync("api:\n  allowCommandJobs: true\n" + Definitions);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Requests an attacker sent, over real HTTP: each was answered 500 (or a reset, or was silently
/// accepted); each is now a 4xx problem+json saying what is wrong, and nothing stored changes.
/// </summary>
public sealed class HostileApiTests(HostileApiServer fixture) : IClassFixture<HostileApiServer>
{
    private HttpClient Http => fixture.Server.Http;

    private static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!["detail"]!.GetValue<string>();
    }

    public static TheoryData<string, string, string?, string> BadRequests => new()
    {
        // method, path, JSON body, what the answer says
        { "POST", "/api/jobs/x/run?wait=%D9%A3s", null, "wait '٣s' is not a duration" },
        { "POST", "/api/jobs/x/run?wait=99999999999d", null, "wait '99999999999d' is not a duration up to 1h" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","handler":"x"}""", "Duplicate property 'handler'" },
        { "POST", "/api/jobs/x/run", """{"k":1,"k":2}""", "Duplicate property 'k'" },
        { "PUT", "/api/jobs/y", """{"http":{}}""", "http: needs a url" },
        { "PUT", "/api/jobs/y", """{"command":{}}""", "command: needs argv" },
        { "PUT", "/api/jobs/y", """{"command":["/bin/echo",null]}""", "command[1]: a command argument must be a text value" },
        { "PUT", "/api/jobs/y", """{"http":{"url":null}}""", "http.url: must be a text value" },
        { "PUT", "/api/jobs/y", """{"executor":{"handler":"echo"}}""", "executor: unknown key 'executor' in job 'y': use handler:, command:, http: or workflow: as in YAML" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","triggers":[{"cron":"0 9 * * *","timeZone":"Europe"}]}""", "triggers[0].timeZone: unknown time zone 'Europe'" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","triggers":[{"cron":"0 9 * * *","timeZone":"../../etc/passwd"}]}""", "unknown time zone" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","triggers":[{"interval":"10675199d"}]}""", "triggers[0].interval: '10675199d' is not a positive duration up to 100 years" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","timeout":"60d"}""", "timeout: 60d is longer than 49d, the longest a timer can wait" },
        { "PUT", "/api/jobs/y", """{"http":{"url":"https://example.com","timeout":"50d"}}""", "http.timeout: 50d is longer than 49d" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","retry":{"backoff":"exponential","initialDelay":"10s","maxDelay":"10675199d","jitter":0.2,"maxAttempts":3}}""", "retry.maxDelay: '10675199d' is not a positive duration up to 100 years" },
        { "PUT", "/api/jobs/y", """{"http":{"url":"https://example.com","method":"GE T"}}""", "'GE T' is not an HTTP method" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","queue":"a/b"}""", "'a/b' is not a valid queue name" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","flow":{"concurrency":[{"limit":0}]}}""", "flow.concurrency[0].limit: 0 is out of range 1–100000" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","flow":{"rateLimit":{"limit":5,"period":"0s","key":"{{payload.a}}"}}}""", "flow.rateLimit.period: '0s' is not a positive duration" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","flow":{"throttle":{"limit":5,"period":"1m","key":"{{steps.a}}"}}}""", "flow.throttle.key: '{{steps.a}}' is not a payload template" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","flow":{"singleton":{"mode":"replace"}}}""", "flow.singleton.mode: 'replace' is not one of: skip, cancel" },
        { "PUT", "/api/webhooks/w", """{"maxBodyBytes":9223372036854775807}""", "maxBodyBytes: 9223372036854775807 is out of range 1–10485760" },
        { "PUT", "/api/jobs/y", """{"handler":"echo","bogus":1}""", "bogus: unknown key 'bogus' in job 'y'; allowed: handler, command, http, workflow" },
        { "PUT", "/api/jobs/y", """{"http":{"url":"https://example.com","extra":true}}""", "http.extra: unknown key 'extra' in http" },
        { "POST", "/api/events", """{"type":"order.created","colour":"red"}""", "The JSON property 'colour' could not be mapped" },
        { "PUT", "/api/subscriptions/t", """{"events":"a","job":"x","filters":{}}""", "filters: unknown key 'filters' in subscription 't'" },
        { "PUT", "/api/webhooks/w", """{"verfy":"none"}""", "verfy: unknown key 'verfy' in webhook 'w'" },
        { "POST", "/api/events", "{bad", "the event is not valid JSON: 'b' is an invalid start of a property name" },
        { "POST", "/api/events", """{"type":"a","idempotencyKey":"%LONG%"}""", "the idempotency key is 300 characters long; at most 200 are allowed" },
        { "POST", "/api/jobs/x/run?idempotencyKey=%LONG%", null, "the idempotency key is 300 characters long" },
        { "POST", "/api/events", """{"type":"%LONG%"}""", "(300 characters) is not a valid event type" },
        { "PUT", "/api/jobs/%LONG%", """{"handler":"echo"}""", "(300 characters) is not a valid job name" },
        { "PUT", "/api/subscriptions/%LONG%", """{"events":"a","job":"x"}""", "(300 characters) is not a valid subscription name" },
        { "PUT", "/api/webhooks/%LONG%", "{}", "(300 characters) is not a valid webhook name" },
        { "GET", "/api/runs?limit=-5", null, "limit -5 is out of range: ask for 1 to 10000" },
        { "GET", "/api/runs?limit=2000000000", null, "limit 2000000000 is out of range" },
        { "GET", "/api/runs?limit=99999999999", null, "Failed to bind parameter \"Nullable<int> limit\" from \"99999999999\"" },
        { "GET", "/api/events?limit=0", null, "limit 0 is out of range" },
        { "GET", "/api/jobs?limit=1001", null, "limit 1001 is out of range" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task A_hostile_request_is_a_400_problem_saying_what_is_wrong_and_changes_nothing(string method, string path, string? body, string says)
    {
        var versions = await VersionsAsync();
        var longText = new string('k', 300);
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("%LONG%", longText, StringComparison.Ordinal))
        {
            Content = body is null ? null : Json(body.Replace("%LONG%", longText, StringComparison.Ordinal)),
        };

        var detail = await ProblemAsync(await Http.SendAsync(request), HttpStatusCode.BadRequest);

        Assert.Contains(says, detail);
        Assert.True(detail.Length < 400, detail); // Long values are cut, not echoed.
        Assert.Equal(versions, await VersionsAsync());
    }

    /// <summary>Every job's name and version, every webhook and subscription: what a refused request must leave as it was.</summary>
    private async Task<string> VersionsAsync()
    {
        var jobs = JsonNode.Parse(await Http.GetStringAsync("/api/jobs"))!.AsArray().Select(j => $"{j!["name"]}@{j["status"]!["version"]}");
        return string.Join(",", jobs) + "|" + await Http.GetStringAsync("/api/webhooks") + "|" + await Http.GetStringAsync("/api/subscriptions");
    }

    [Fact]
    public async Task An_http_job_without_a_method_sends_GET_as_in_yaml()
    {
        var saved = JsonNode.Parse(await (await Http.PutAsync("/api/jobs/fetch", Json("""{"http":{"url":"https://example.com"}}"""))).Content.ReadAsStringAsync())!;

        Assert.Equal("GET", saved["http"]!["method"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("text/plain", "(this request says 'text/plain')")]
    [InlineData(null, "(this request has none)")]
    public async Task Events_sent_as_something_other_than_JSON_are_a_415_problem(string? contentType, string says)
    {
        var content = new ByteArrayContent("""{"type":"order.created"}"""u8.ToArray());
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);

        var detail = await ProblemAsync(await Http.PostAsync("/api/events", content), HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("send the event as JSON with Content-Type: application/json " + says, detail);
    }

    [Theory]
    [InlineData("/api/jobs/x/run", 29)] // 29 MB was answered with a reset.
    [InlineData("/api/events", 2)]
    [InlineData("/api/jobs/x", 2)]
    public async Task A_body_over_1_MiB_is_a_413_problem_not_a_reset(string path, int megabytes)
    {
        var before = await RunCountAsync();
        var body = new byte[megabytes * 1_000_000];
        Array.Fill(body, (byte)' ');
        body[0] = (byte)'{';
        body[^1] = (byte)'}';
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(path.EndsWith("/x", StringComparison.Ordinal) ? HttpMethod.Put : HttpMethod.Post, path) { Content = content };

        var detail = await ProblemAsync(await Http.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("the request body is larger than the 1048576 bytes (1 MiB) the API accepts", detail);
        Assert.Equal(before, await RunCountAsync());
    }

    private async Task<int> RunCountAsync() => JsonNode.Parse(await Http.GetStringAsync("/api/runs?limit=1000"))!.AsArray().Count;

    [Fact]
    public async Task A_payload_just_under_1_MiB_is_accepted()
    {
        var payload = $$"""{"text":"{{new string('a', 1_000_000)}}"}""";

        var response = await Http.PostAsync("/api/jobs/x/run", Json(payload));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
