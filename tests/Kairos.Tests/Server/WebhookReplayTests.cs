using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>Standard Webhooks (and Stripe) replay protection and secrets over real HTTP, on a clock the test moves.</summary>
public sealed class WebhookReplayTests : IAsyncLifetime
{
    // The key is these bytes; "prefixed" writes it as whsec_ + base64, "bare" as base64 alone.
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("a key of at least twenty-four bytes");
    private const string StripeSecret = "whsec_stripe_replay_secret";
    private readonly ManualTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync($$"""
        webhooks:
          prefixed:
            verify: standard
            secret: whsec_{{Convert.ToBase64String(Key)}}
          bare:
            verify: standard
            secret: {{Convert.ToBase64String(Key)}}
          stripe:
            verify: stripe
            secret: {{StripeSecret}}
        jobs:
          on-standard:
            handler: echo
            triggers:
              - webhook: prefixed
              - webhook: bare
              - webhook: stripe
        """, s => s.Services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_delivery_stamped_ahead_cannot_be_replayed_once_the_window_from_its_receipt_has_passed()
    {
        var stampedAhead = _clock.GetUtcNow().AddMinutes(4);
        using var first = await _server.Http.SendAsync(Delivery("prefixed", "msg_ahead", stampedAhead));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        _clock.Advance(TimeSpan.FromMinutes(6)); // Past receipt + 5 min, still within timestamp + 5 min.
        using var replay = await _server.Http.SendAsync(Delivery("prefixed", "msg_ahead", stampedAhead));

        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
    }

    [Fact]
    public async Task A_stripe_delivery_stamped_ahead_is_refused_as_a_repeat_until_its_timestamps_window_has_passed()
    {
        const string body = """{"id":"evt_1"}""";
        var t = _clock.GetUtcNow().AddMinutes(4).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(StripeSecret), Encoding.UTF8.GetBytes($"{t}.{body}")))}";
        async Task<(HttpStatusCode, string)> SendAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/stripe") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Add("Stripe-Signature", signature);
            using var response = await _server.Http.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync()).Item1);
        _clock.Advance(TimeSpan.FromMinutes(6)); // Past receipt + 5 min, still within timestamp + 5 min.
        var replay = await SendAsync();
        _clock.Advance(TimeSpan.FromMinutes(4)); // Past timestamp + 5 min: the timestamp refuses it.

        Assert.Equal(HttpStatusCode.Conflict, replay.Item1);
        Assert.Contains("this delivery was already received", replay.Item2); // As a repeated Standard Webhooks id.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync()).Item1);
    }

    [Fact]
    public async Task A_secret_without_the_whsec_prefix_is_base64_decoded_as_the_reference_libraries_do()
    {
        using var response = await _server.Http.SendAsync(Delivery("bare", "msg_bare", _clock.GetUtcNow()));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static HttpRequestMessage Delivery(string hook, string id, DateTimeOffset sentAt)
    {
        const string body = """{"type":"contact.created"}""";
        var timestamp = sentAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, $"/hooks/{hook}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", "v1," + signature);
        return request;
    }
}
