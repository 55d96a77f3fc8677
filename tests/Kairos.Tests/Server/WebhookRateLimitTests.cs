using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>A hook's rate limit over real HTTP, with senders on two loopback addresses.</summary>
public sealed class WebhookRateLimitTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("""
        webhooks:
          limited:
            verify: bearer
            secret: the-real-token
            rateLimit: { requests: 3, per: 1h }
        jobs:
          on-limited:
            handler: echo
            triggers:
              - webhook: limited
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_flood_of_unsigned_requests_from_one_address_does_not_lock_out_the_signed_sender_elsewhere()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 50; i++)
        {
            using var forged = await _server.Http.SendAsync(Delivery("guess-" + i));
            statuses.Add(forged.StatusCode);
        }
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 3).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 47)), statuses);

        using var realSender = FromAddress("127.0.0.2");
        using var accepted = await realSender.SendAsync(Delivery("the-real-token"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task Verified_deliveries_from_many_addresses_share_the_hooks_own_limit()
    {
        var statuses = new List<HttpStatusCode>();
        foreach (var address in new[] { "127.0.0.3", "127.0.0.4", "127.0.0.5", "127.0.0.6" })
        {
            using var sender = FromAddress(address);
            using var response = await sender.SendAsync(Delivery("the-real-token"));
            statuses.Add(response.StatusCode);
        }
        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
    }

    private static HttpRequestMessage Delivery(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/hooks/limited") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>A client whose connections leave from <paramref name="address"/> (Linux routes all of 127/8 to loopback).</summary>
    private HttpClient FromAddress(string address) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = _server.Http.BaseAddress };
}
