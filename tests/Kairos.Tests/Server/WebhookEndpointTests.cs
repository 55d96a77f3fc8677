using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>Signed, unsigned, replayed, oversized and throttled deliveries over real HTTP on loopback.</summary>
public sealed class WebhookEndpointTests : IAsyncLifetime
{
    private const string GitHubSecret = "gh-secret-for-tests";
    private const string StandardSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync($$"""
        webhooks:
          github:
            verify: github
            secret: {{GitHubSecret}}
            maxBodyBytes: 2048
            headers: [X-GitHub-Event, Authorization]
          standard:
            verify: standard
            secret: {{StandardSecret}}
          bearer:
            verify: bearer
            secret: token-123
            rateLimit: { requests: 2, per: 1m }
          orphan:
            verify: none
          frozen:
            verify: none
        jobs:
          on-push:
            handler: echo
            triggers:
              - webhook: github
          on-push-too:
            handler: echo
            triggers:
              - webhook: github
          on-standard:
            handler: echo
            triggers:
              - webhook: standard
          on-bearer:
            handler: echo
            triggers:
              - webhook: bearer
          paused-job:
            handler: echo
            paused: true
            triggers:
              - webhook: frozen
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static HttpRequestMessage GitHubDelivery(string json, string? signatureOverride = null, string path = "/hooks/github")
    {
        var body = Encoding.UTF8.GetBytes(json);
        var signature = signatureOverride ?? "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(GitHubSecret), body));
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Hub-Signature-256", signature);
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "must-not-leak");
        return request;
    }

    /// <summary>
    /// The webhook entries of the journal a delivery writes (runs of accepted deliveries add others in
    /// the background). Left out: <c>webhook.refused</c>, the tally the refusals loop writes once a
    /// minute of the wall clock after the server started, whatever a test is doing then; a test that
    /// straddled that minute saw one more entry.
    /// </summary>
    private async Task<int> JournalEntriesAsync() =>
        (await _server.Client.ListJournalAsync(new JournalQuery { Limit = 10_000 }, CancellationToken.None))
            .Count(e => e.Kind.StartsWith("webhook.", StringComparison.Ordinal) && e.Kind != "webhook.refused");

    [Fact]
    public async Task A_valid_github_delivery_runs_every_bound_job_with_body_query_and_allowed_headers()
    {
        using var response = await _server.Http.SendAsync(GitHubDelivery("""{"ref":"refs/heads/main"}""", path: "/hooks/github?wait=10s&env=prod"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var runs = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["runs"]!.AsArray();
        Assert.Equal(["on-push", "on-push-too"], runs.Select(r => r!["job"]!.GetValue<string>()).Order());
        var output = runs[0]!["output"]!;
        Assert.Equal("refs/heads/main", output["body"]!["ref"]!.GetValue<string>());
        Assert.Equal("prod", output["query"]!["env"]!.GetValue<string>());
        Assert.Equal("push", output["headers"]!["X-GitHub-Event"]!.GetValue<string>());
        Assert.Null(output["headers"]!["Authorization"]); // Credentials are never copied, even when listed.
        Assert.Equal("webhook", runs[0]!["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_absurd_wait_is_a_400_naming_it_not_a_500()
    {
        using var response = await _server.Http.SendAsync(GitHubDelivery("{}", path: "/hooks/github?wait=99999999999d"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("wait '99999999999d'", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Without_wait_a_delivery_answers_202_with_the_run_ids()
    {
        using var response = await _server.Http.SendAsync(GitHubDelivery("{}"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["runIds"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_bad_signature_is_401_with_no_hint_and_stores_nothing()
    {
        var before = (await _server.Client.ListRunsAsync(new RunQuery { Limit = 1000 }, CancellationToken.None)).Count;
        var journal = await JournalEntriesAsync();
        using var response = await _server.Http.SendAsync(GitHubDelivery("{}", signatureOverride: "sha256=" + new string('0', 64)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("could not be verified", text);
        Assert.DoesNotContain("match", text);
        Assert.DoesNotContain(GitHubSecret, text);
        Assert.Equal(before, (await _server.Client.ListRunsAsync(new RunQuery { Limit = 1000 }, CancellationToken.None)).Count);
        Assert.Equal(journal, await JournalEntriesAsync());
    }

    [Fact]
    public async Task An_oversized_body_is_413_and_stores_nothing()
    {
        var journal = await JournalEntriesAsync();
        using var response = await _server.Http.SendAsync(GitHubDelivery($$"""{"blob":"{{new string('x', 4096)}}"}"""));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(journal, await JournalEntriesAsync());
    }

    [Fact]
    public async Task Standard_webhooks_accept_a_fresh_signed_delivery_and_reject_a_replayed_id_and_a_stale_timestamp()
    {
        HttpRequestMessage Delivery(string id, DateTimeOffset sentAt)
        {
            var body = "{\"n\":1}";
            var timestamp = sentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var key = Convert.FromBase64String(StandardSecret["whsec_".Length..]);
            var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
            var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/standard") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("webhook-id", id);
            request.Headers.Add("webhook-timestamp", timestamp);
            request.Headers.Add("webhook-signature", "v1," + signature);
            return request;
        }
        var id = "msg_" + Guid.NewGuid().ToString("N");

        using var first = await _server.Http.SendAsync(Delivery(id, DateTimeOffset.UtcNow));
        var journal = await JournalEntriesAsync();
        using var replay = await _server.Http.SendAsync(Delivery(id, DateTimeOffset.UtcNow));
        using var stale = await _server.Http.SendAsync(Delivery("msg_other", DateTimeOffset.UtcNow.AddMinutes(-10)));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Equal(journal, await JournalEntriesAsync()); // Refusals are counted, not stored.
    }

    [Fact]
    public async Task A_bearer_hook_rate_limits_with_retry_after()
    {
        HttpRequestMessage Delivery()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/bearer") { Content = new StringContent("plain text", Encoding.UTF8, "text/plain") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "token-123");
            return request;
        }
        using var one = await _server.Http.SendAsync(Delivery());
        using var two = await _server.Http.SendAsync(Delivery());
        using var three = await _server.Http.SendAsync(Delivery());

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], new[] { one.StatusCode, two.StatusCode, three.StatusCode });
        Assert.True(three.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        var runId = JsonNode.Parse(await one.Content.ReadAsStringAsync())!["runIds"]![0]!.GetValue<long>();
        var run = await _server.Client.GetRunAsync(runId, CancellationToken.None);
        Assert.Equal("plain text", JsonNode.Parse(run!.Payload!)!["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_hooks_unbound_hooks_and_paused_jobs_are_refused()
    {
        using var unknown = await _server.Http.PostAsync("/hooks/nope", new StringContent("{}"));
        using var orphan = await _server.Http.PostAsync("/hooks/orphan", new StringContent("{}"));
        using var frozen = await _server.Http.PostAsync("/hooks/frozen", new StringContent("{}"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, orphan.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, frozen.StatusCode);
        Assert.Contains("paused", await frozen.Content.ReadAsStringAsync());
        Assert.Equal("application/problem+json", frozen.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_body_declared_as_json_that_does_not_parse_is_400()
    {
        var body = Encoding.UTF8.GetBytes("{not json");
        var request = GitHubDelivery("{}");
        var signed = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(GitHubSecret), body));
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Remove("X-Hub-Signature-256");
        request.Headers.Add("X-Hub-Signature-256", signed);
        using var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Secrets_never_reach_the_journal()
    {
        using var _ = await _server.Http.SendAsync(GitHubDelivery("{}", signatureOverride: "sha256=00"));
        var journal = await _server.Client.ListJournalAsync(new JournalQuery { Limit = 10_000 }, CancellationToken.None);
        Assert.DoesNotContain(journal, e => (e.Data ?? "").Contains(GitHubSecret) || (e.Data ?? "").Contains("token-123") || (e.Data ?? "").Contains("must-not-leak"));
    }
}
