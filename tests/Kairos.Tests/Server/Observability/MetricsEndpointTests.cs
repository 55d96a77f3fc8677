using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Kairos.Access;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Observability;

/// <summary><c>GET /metrics</c> on a real server over loopback: what a Prometheus scraper reads after real work, and who may read it.</summary>
public sealed class MetricsEndpointTests
{
    private const string Secret = "metrics-secret";

    private const string Config = """
        webhooks:
          orders:
            verify: github
            secret: metrics-secret
        jobs:
          greet:
            handler: echo
            triggers:
              - webhook: orders
          broken:
            handler: fail
            retry: { maxAttempts: 2, backoff: fixed, initialDelay: 1ms }
          later:
            handler: echo
            queue: slow
        """;

    [Fact]
    public async Task After_runs_and_webhook_deliveries_it_counts_them_by_job_outcome_queue_and_result()
    {
        await using var server = await InProcessServer.StartAsync(Config);
        for (var i = 0; i < 3; i++)
        {
            using var run = await server.Http.PostAsync("/api/jobs/greet/run?wait=10s", new StringContent("{}"));
            Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        }
        using (var dead = await server.Http.PostAsync("/api/jobs/broken/run", new StringContent("{}")))
        {
            Assert.Equal(HttpStatusCode.Accepted, dead.StatusCode);
        }
        await Eventually.TrueAsync(async () => (await server.Client.ListRunsAsync(new Kairos.Storage.RunQuery { JobName = "broken", State = Model.RunState.Dead })).Count == 1, "the broken run to be dead");
        for (var i = 0; i < 2; i++)
        {
            using var queued = await server.Http.PostAsync("/api/jobs/later/run?in=1h", new StringContent("{}"));
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        }
        using (var forged = await server.Http.SendAsync(Delivery("""{"id":1}""", "sha256=" + new string('0', 64))))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }
        using (var signed = await server.Http.SendAsync(Delivery("""{"id":2}""")))
        {
            Assert.Equal(HttpStatusCode.Accepted, signed.StatusCode);
        }
        await Eventually.TrueAsync(async () => (await server.Client.ListRunsAsync(new Kairos.Storage.RunQuery { JobName = "greet", State = Model.RunState.Succeeded })).Count == 4, "the webhook's run to succeed");

        var scrape = await ScrapeAsync(server.Http);

        Assert.Equal(4, scrape.Value("kairos_runs_finished_total", ("job", "greet"), ("outcome", "succeeded")));
        Assert.Equal(1, scrape.Value("kairos_runs_finished_total", ("job", "broken"), ("outcome", "retry")));
        Assert.Equal(1, scrape.Value("kairos_runs_finished_total", ("job", "broken"), ("outcome", "dead")));
        Assert.Equal(4, scrape.Value("kairos_run_duration_seconds_count", ("job", "greet"), ("outcome", "succeeded")));
        Assert.Equal(6, scrape.Value("kairos_run_claim_latency_seconds_count", ("queue", "default")));
        Assert.Equal(2, scrape.Value("kairos_queue_depth", ("queue", "slow")));
        Assert.Equal(1, scrape.Value("kairos_webhook_deliveries_total", ("hook", "orders"), ("result", "accepted")));
        Assert.Equal(1, scrape.Value("kairos_webhook_deliveries_total", ("hook", "orders"), ("result", "signature")));
        Assert.Equal(("counter", "histogram", "gauge"), (scrape.Types["kairos_runs_finished_total"], scrape.Types["kairos_run_duration_seconds"], scrape.Types["kairos_queue_depth"]));
    }

    [Fact]
    public async Task Once_a_key_exists_it_wants_one_of_scope_read_and_not_bound_to_namespaces()
    {
        await using var server = await InProcessServer.StartAsync(Config);
        var read = (await server.Client.CreateApiKeyAsync("scraper", KairosScope.Read)).Token;
        var shop = (await server.Client.CreateApiKeyAsync("shop", KairosScope.Admin, namespaces: ["shop"])).Token;

        using var none = await server.Http.GetAsync("/metrics");
        using var withRead = await SendAsync(server.Http, read);
        using var withShop = await SendAsync(server.Http, shop);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withRead.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", withRead.Content.Headers.ContentType!.ToString());
        Assert.Equal(HttpStatusCode.Forbidden, withShop.StatusCode);
        Assert.Contains("every namespace", await withShop.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task With_api_publicMetrics_a_scraper_without_a_key_gets_them_and_the_api_still_wants_one()
    {
        await using var server = await InProcessServer.StartAsync("api:\n  publicMetrics: true\n" + Config);
        await server.Client.CreateApiKeyAsync("someone", KairosScope.Read);

        using var metrics = await server.Http.GetAsync("/metrics");
        using var api = await server.Http.GetAsync("/api/jobs");

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        PrometheusScrape.Parse(await metrics.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    internal static async Task<PrometheusScrape> ScrapeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/metrics answered {response.StatusCode}: {text}");
        return PrometheusScrape.Parse(text);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http.SendAsync(request);
    }

    private static HttpRequestMessage Delivery(string json, string? signature = null)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/orders") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Hub-Signature-256", signature ?? "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)));
        return request;
    }
}
