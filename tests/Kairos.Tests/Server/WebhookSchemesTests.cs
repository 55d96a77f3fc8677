using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>
/// Stripe and the generic HMAC scheme (set up as Shopify, GitHub and Slack sign), with signatures
/// computed as each sender does, over real HTTP on loopback.
/// </summary>
public sealed class WebhookSchemesTests : IAsyncLifetime
{
    private const string StripeSecret = "whsec_stripe_test_secret";
    private const string SharedSecret = "shared-secret-for-tests";
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync($$$"""
        webhooks:
          stripe:
            verify: stripe
            secret: {{{StripeSecret}}}
          shopify:
            verify: hmac
            secret: {{{SharedSecret}}}
            hmac: { header: X-Shopify-Hmac-Sha256, encoding: base64 }
          github:
            verify: hmac
            secret: {{{SharedSecret}}}
            hmac: { header: X-Hub-Signature-256, prefix: "sha256=" }
            headers: [X-Hub-Signature-256, X-GitHub-Event]
          slack:
            verify: hmac
            secret: {{{SharedSecret}}}
            hmac:
              header: X-Slack-Signature
              prefix: "v0="
              signedContent: "v0:{{header.X-Slack-Request-Timestamp}}:{{body}}"
              timestampHeader: X-Slack-Request-Timestamp
        jobs:
          on-hook:
            handler: echo
            triggers:
              - webhook: stripe
              - webhook: shopify
              - webhook: github
              - webhook: slack
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private const string Body = """{"id":"evt_1","type":"payment_intent.succeeded"}""";

    private static string Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static string HexHmac(string secret, string content) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(content)));

    private async Task<HttpStatusCode> SendAsync(string hook, string body, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{hook}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await _server.Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Stripe_accepts_a_delivery_when_any_v1_matches_and_refuses_a_wrong_signature_or_a_stale_timestamp()
    {
        var t = Now;
        var good = HexHmac(StripeSecret, $"{t}.{Body}");
        var wrong = HexHmac("another secret", $"{t}.{Body}");
        var stale = DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        Assert.Equal(HttpStatusCode.Accepted, await SendAsync("stripe", Body, ("Stripe-Signature", $"t={t},v1={wrong},v1={good},v0={wrong}")));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync("stripe", Body, ("Stripe-Signature", $"t={t},v1={wrong}")));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync("stripe", Body + " ", ("Stripe-Signature", $"t={t},v1={good}")));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync("stripe", Body, ("Stripe-Signature", $"t={stale},v1={HexHmac(StripeSecret, $"{stale}.{Body}")}")));
    }

    [Fact]
    public async Task A_repeated_stripe_delivery_is_refused_even_with_extra_signatures_and_a_freshly_signed_one_is_accepted()
    {
        var t = Now;
        var signature = $"t={t},v1={HexHmac(StripeSecret, $"{t}.{Body}")}";
        var later = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        Assert.Equal(HttpStatusCode.Accepted, await SendAsync("stripe", Body, ("Stripe-Signature", signature)));
        Assert.Equal(HttpStatusCode.Conflict, await SendAsync("stripe", Body, ("Stripe-Signature", signature)));
        Assert.Equal(HttpStatusCode.Conflict, await SendAsync("stripe", Body, ("Stripe-Signature", $"{signature},v1={new string('0', 64)}")));
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync("stripe", Body, ("Stripe-Signature", $"t={later},v1={HexHmac(StripeSecret, $"{later}.{Body}")}")));
    }

    [Fact]
    public async Task A_repeated_timestamped_hmac_delivery_is_refused_and_one_without_a_timestamp_has_no_window_to_be_remembered_in()
    {
        var t = Now;
        (string, string)[] slack = [("X-Slack-Request-Timestamp", t), ("X-Slack-Signature", "v0=" + HexHmac(SharedSecret, $"v0:{t}:{Body}"))];
        var shopify = ("X-Shopify-Hmac-Sha256", Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SharedSecret), Encoding.UTF8.GetBytes(Body))));

        Assert.Equal(HttpStatusCode.Accepted, await SendAsync("slack", Body, slack));
        Assert.Equal(HttpStatusCode.Conflict, await SendAsync("slack", Body, slack));
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync("shopify", Body, shopify));
        Assert.Equal(HttpStatusCode.Accepted, await SendAsync("shopify", Body, shopify));
    }

    [Fact]
    public async Task Shopify_signs_the_body_with_base64_sha256()
    {
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SharedSecret), Encoding.UTF8.GetBytes(Body)));

        Assert.Equal(HttpStatusCode.Accepted, await SendAsync("shopify", Body, ("X-Shopify-Hmac-Sha256", signature)));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync("shopify", Body.Replace("evt_1", "evt_2", StringComparison.Ordinal), ("X-Shopify-Hmac-Sha256", signature)));
    }

    [Fact]
    public async Task GitHub_as_a_generic_hmac_hook_checks_the_prefixed_hex_signature_and_never_copies_it_into_the_payload()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/github?wait=10s") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + HexHmac(SharedSecret, Body));
        request.Headers.Add("X-GitHub-Event", "push");
        using var response = await _server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["runs"]![0]!["output"]!["headers"]!.AsObject();
        Assert.Equal(["X-GitHub-Event"], headers.Select(h => h.Key));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync("github", Body, ("X-Hub-Signature-256", HexHmac(SharedSecret, Body))));
    }

    [Fact]
    public async Task Slack_signs_its_timestamp_header_and_the_body_and_a_stale_timestamp_is_refused()
    {
        var t = Now;
        var stale = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

        Assert.Equal(HttpStatusCode.Accepted, await SendAsync("slack", Body,
            ("X-Slack-Request-Timestamp", t), ("X-Slack-Signature", "v0=" + HexHmac(SharedSecret, $"v0:{t}:{Body}"))));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync("slack", Body,
            ("X-Slack-Request-Timestamp", stale), ("X-Slack-Signature", "v0=" + HexHmac(SharedSecret, $"v0:{stale}:{Body}"))));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync("slack", Body,
            ("X-Slack-Request-Timestamp", t), ("X-Slack-Signature", "v0=" + HexHmac(SharedSecret, $"v0:{stale}:{Body}"))));
    }
}
