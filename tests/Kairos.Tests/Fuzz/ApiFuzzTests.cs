using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;

namespace Kairos.Tests.Fuzz;

/// <summary>
/// Mutated requests to a real server over loopback HTTP: job definitions, run payloads, events,
/// subscriptions, webhooks and query strings. No answer is a 5xx, every 4xx is problem+json with a
/// detail, and the jobs that were there before are there afterwards, unchanged.
/// </summary>
public sealed class ApiFuzzTests
{
    /// <summary>Valid bodies to mutate. Jobs saved by the fuzz run only handlers or /bin/true, and only those with a handler have triggers.</summary>
    private static readonly string[] JobBodies =
    [
        """{"handler":"noop","queue":"default","priority":5,"timeout":"5m","retry":{"backoff":"exponential","initialDelay":"10s","maxDelay":"10m","jitter":0.2,"maxAttempts":3},"concurrency":{"maxInstances":1,"onOverlap":"skip"},"paused":true,"triggers":[{"cron":"0 9 * * MON-FRI","timeZone":"Europe/Paris"},{"interval":"1h"}]}""",
        """{"command":{"argv":["/bin/true","{{payload.x}}"],"env":{"A":"b"},"maxOutputBytes":4096,"killGrace":"5s"},"paused":true}""",
        """{"http":{"method":"POST","url":"http://127.0.0.1:9/x","headers":{"X":"y"},"body":"{{payload}}","timeout":"5s"},"paused":true}""",
        """{"handler":"noop","paused":true,"triggers":[{"once":"2030-01-01T00:00:00+00:00"},{"completion":"x","on":"any","maxDepth":3},{"webhook":"h"}]}""",
    ];

    private static readonly string[] Payloads = ["""{"x":1,"y":[true,null,"s"],"z":{"a":1.5e3}}""", "[]", "\"text\"", "{}"];

    private static readonly string[] Events = ["""{"type":"order.created","source":"fuzz","data":{"amount":250,"sku":"A-1"},"priority":5,"idempotencyKey":"k1"}""", """{"type":"run.x","data":null}"""];

    private static readonly string[] Subscriptions = ["""{"events":"order.*","job":"x","filter":{"data.amount":{"$gt":100}},"active":true}""", """{"events":"**","job":"x","filter":{"data.sku":{"$glob":"A-*"}}}"""];

    private static readonly string[] Webhooks = ["""{"verify":"bearer","secret":"s3cret","replayWindow":"5m","maxBodyBytes":1024,"rateLimit":{"requests":10,"per":"1s"},"headers":["X-Id"]}"""];

    private static readonly string[] Queries =
    [
        "/api/runs?job=x&state=queued&limit=10&before=100", "/api/events?type=order.*&status=pending&from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z&limit=5",
        "/api/jobs?limit=2&after=a", "/api/runs/1", "/api/events/1", "/api/jobs/x", "/api/subscriptions/s", "/api/webhooks/h", "/api/runs/1/log",
    ];

    [Fact]
    public async Task Mutated_requests_never_get_a_5xx_and_leave_the_existing_jobs_as_they_were()
    {
        await using var server = await InProcessServer.StartAsync(Kairos.Tests.Server.HostileApiServer.Definitions);
        var before = await ExistingAsync(server.Http);
        var mutator = new Mutator(Mutator.BaseSeed + 10);

        for (var i = 0; i < Mutator.Iterations(250); i++)
        {
            using var request = NextRequest(mutator, i);
            var description = $"seed {mutator.Seed}, case {i}: {request.Method} {request.RequestUri}\n{(request.Content is null ? "" : await request.Content.ReadAsStringAsync())}";
            using var response = await server.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();

            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {description}\n{text}");
            if ((int)response.StatusCode >= 400)
            {
                Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{(int)response.StatusCode} without problem+json for {description}\n{text}");
                Assert.False(string.IsNullOrWhiteSpace(JsonNode.Parse(text)?["detail"]?.GetValue<string>()), $"a problem without detail for {description}");
            }
        }

        Assert.Equal(before, await ExistingAsync(server.Http));
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/healthz")).StatusCode);
    }

    /// <summary>The jobs the server started with, as the API shows them (without fire times, which move on their own).</summary>
    private static async Task<string> ExistingAsync(HttpClient http)
    {
        var shown = new List<string>();
        foreach (var name in new[] { "x", "report" })
        {
            var job = JsonNode.Parse(await http.GetStringAsync($"/api/jobs/{name}"))!.AsObject();
            job.Remove("triggers");
            shown.Add(job.ToJsonString());
        }
        return string.Join("\n", shown);
    }

    /// <summary>One mutated request; what it may change is named <c>fuzz-*</c>, apart from runs of x and events.</summary>
    private static HttpRequestMessage NextRequest(Mutator mutator, int i)
    {
        static HttpContent Json(string body) => new StringContent(body, Encoding.UTF8, "application/json");
        var kind = i % 6;
        return kind switch
        {
            0 => new HttpRequestMessage(HttpMethod.Put, $"/api/jobs/fuzz-{i}") { Content = Json(mutator.Mutate(mutator.Pick(JobBodies))) },
            1 => new HttpRequestMessage(HttpMethod.Post, $"/api/jobs/x/run?idempotencyKey={Uri.EscapeDataString(mutator.Mutate("key-1"))}&wait={Uri.EscapeDataString(mutator.Mutate("1ms"))}")
            {
                Content = Json(mutator.Mutate(mutator.Pick(Payloads))),
            },
            2 => new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = Json(mutator.Mutate(mutator.Pick(Events))) },
            3 => new HttpRequestMessage(HttpMethod.Put, $"/api/subscriptions/fuzz-{i}") { Content = Json(mutator.Mutate(mutator.Pick(Subscriptions))) },
            4 => new HttpRequestMessage(HttpMethod.Put, $"/api/webhooks/fuzz-{i}") { Content = Json(mutator.Mutate(mutator.Pick(Webhooks))) },
            _ => new HttpRequestMessage(HttpMethod.Get, Query(mutator.Mutate(mutator.Pick(Queries)))),
        };
    }

    /// <summary>
    /// A mutated path and query, its characters escaped where a URL cannot hold them as they are. NUL is
    /// left out: Kestrel refuses a path with %00 itself, with a bare 400, before any of Kairos runs.
    /// </summary>
    private static string Query(string mutated)
    {
        var escaped = new StringBuilder("/api/");
        foreach (var c in (mutated.StartsWith("/api/", StringComparison.Ordinal) ? mutated[5..] : mutated).Replace("\0", "", StringComparison.Ordinal))
        {
            escaped.Append(c is '/' or '?' or '&' or '=' || char.IsAsciiLetterOrDigit(c) ? c.ToString() : Uri.EscapeDataString(c.ToString()));
        }
        return escaped.ToString();
    }
}
