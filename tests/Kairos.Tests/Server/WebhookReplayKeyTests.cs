using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>
/// Stripe and timestamped HMAC deliveries carry no id: a repeat of what their signature covers is
/// refused within the replay window as a repeated Standard Webhooks id is, over real HTTP on a clock the test moves.
/// </summary>
public sealed class WebhookReplayKeyTests : IAsyncLifetime
{
    private const string Secret = "whsec_replay_key_secret";
    private const string Body = """{"id":"evt_1","type":"invoice.paid"}""";
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync($$$"""
        webhooks:
          stripe:
            verify: stripe
            secret: {{{Secret}}}
          slack:
            verify: hmac
            secret: {{{Secret}}}
            hmac:
              header: X-Slack-Signature
              prefix: "v0="
              signedContent: "v0:{{header.X-Slack-Request-Timestamp}}:{{body}}"
              timestampHeader: X-Slack-Request-Timestamp
          shopify:
            verify: hmac
            secret: {{{Secret}}}
            hmac: { header: X-Shopify-Hmac-Sha256, encoding: base64 }
        jobs:
          on-hook:
            handler: echo
            triggers:
              - webhook: stripe
              - webhook: slack
              - webhook: shopify
        """, s => s.Services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Seconds(TimeSpan offset = default) => _clock.GetUtcNow().Add(offset).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    private static string HexHmac(string content) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(content)));

    private async Task<(HttpStatusCode Status, string Text)> SendAsync(string hook, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{hook}") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await _server.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_repeated_stripe_delivery_is_refused_even_with_extra_signatures_and_a_new_one_is_accepted()
    {
        var t = Seconds();
        var signature = $"t={t},v1={HexHmac($"{t}.{Body}")}";

        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync("stripe", ("Stripe-Signature", signature))).Status);
        var replay = await SendAsync("stripe", ("Stripe-Signature", signature));
        var padded = await SendAsync("stripe", ("Stripe-Signature", $"{signature},v1={new string('0', 64)}"));
        _clock.Advance(TimeSpan.FromSeconds(1));
        var t2 = Seconds();
        var fresh = await SendAsync("stripe", ("Stripe-Signature", $"t={t2},v1={HexHmac($"{t2}.{Body}")}"));

        Assert.Equal(HttpStatusCode.Conflict, replay.Status);
        Assert.Contains("this delivery was already received", replay.Text);
        Assert.Equal(HttpStatusCode.Conflict, padded.Status);
        Assert.Equal(HttpStatusCode.Accepted, fresh.Status);
    }

    [Fact]
    public async Task A_stripe_delivery_stamped_ahead_stays_refused_until_its_timestamps_window_has_passed()
    {
        var t = Seconds(TimeSpan.FromMinutes(4));
        var signature = $"t={t},v1={HexHmac($"{t}.{Body}")}";
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync("stripe", ("Stripe-Signature", signature))).Status);

        _clock.Advance(TimeSpan.FromMinutes(6)); // Past receipt + 5 min, still within timestamp + 5 min.
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync("stripe", ("Stripe-Signature", signature))).Status);
        _clock.Advance(TimeSpan.FromMinutes(4)); // Past timestamp + 5 min: the timestamp refuses it.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync("stripe", ("Stripe-Signature", signature))).Status);
    }

    [Fact]
    public async Task A_repeated_timestamped_hmac_delivery_is_refused_and_one_without_a_timestamp_has_no_window_to_be_remembered_in()
    {
        var t = Seconds();
        (string, string)[] slack = [("X-Slack-Request-Timestamp", t), ("X-Slack-Signature", "v0=" + HexHmac($"v0:{t}:{Body}"))];
        var shopify = ("X-Shopify-Hmac-Sha256", Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(Body))));

        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync("slack", slack)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync("slack", slack)).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync("shopify", shopify)).Status);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync("shopify", shopify)).Status);
    }
}
