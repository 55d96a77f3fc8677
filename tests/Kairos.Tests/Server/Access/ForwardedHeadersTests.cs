using System.Net;
using System.Text;
using Kairos.Configuration;
using Kairos.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Server.Access;

/// <summary>
/// X-Forwarded-For / X-Forwarded-Proto count only from <c>api.trustedProxies</c>: then the loopback
/// check and the per-address webhook rate limit see the client; otherwise the headers change nothing.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const string Hooks = """
        webhooks:
          deploy:
            verify: bearer
            secret: the-right-token
            rateLimit: { requests: 2, per: 1m }
        jobs:
          deploy:
            handler: noop
            triggers:
              - webhook: deploy
        """;

    private static async Task<HttpResponseMessage> SendAsync(InProcessServer server, HttpMethod method, string path, string? forwardedFor)
    {
        var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            request.Headers.Add("Authorization", "Bearer a-wrong-token");
        }
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }
        return await server.Http.SendAsync(request);
    }

    [Fact]
    public async Task Without_trusted_proxies_a_forwarded_address_is_ignored_by_the_loopback_check_and_the_rate_limit()
    {
        await using var server = await InProcessServer.StartAsync(Hooks);

        using var jobs = await SendAsync(server, HttpMethod.Get, "/api/jobs", "198.51.100.7");
        Assert.Equal(HttpStatusCode.OK, jobs.StatusCode); // Still this machine: served without a key.

        // Two refusals from "198.51.100.7", then "203.0.113.9": one address (loopback), one bucket.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(server, HttpMethod.Post, "/hooks/deploy", "198.51.100.7")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(server, HttpMethod.Post, "/hooks/deploy", "198.51.100.7")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(server, HttpMethod.Post, "/hooks/deploy", "203.0.113.9")).StatusCode);
    }

    [Fact]
    public async Task From_a_trusted_proxy_the_forwarded_client_is_the_one_checked_and_rate_limited()
    {
        await using var server = await InProcessServer.StartAsync("api:\n  trustedProxies: [127.0.0.1, \"::1\"]\n" + Hooks);

        using var remote = await SendAsync(server, HttpMethod.Get, "/api/jobs", "198.51.100.7");
        Assert.Equal(HttpStatusCode.Unauthorized, remote.StatusCode);
        Assert.Contains("only requests from this machine", await remote.Content.ReadAsStringAsync());
        using var local = await SendAsync(server, HttpMethod.Get, "/api/jobs", null);
        Assert.Equal(HttpStatusCode.OK, local.StatusCode); // The proxy's own requests are still its own.

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(server, HttpMethod.Post, "/hooks/deploy", "198.51.100.7")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(server, HttpMethod.Post, "/hooks/deploy", "198.51.100.7")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(server, HttpMethod.Post, "/hooks/deploy", "198.51.100.7")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(server, HttpMethod.Post, "/hooks/deploy", "203.0.113.9")).StatusCode);
    }

    [Theory]
    [InlineData("203.0.113.50", "127.0.0.1", "203.0.113.50", "http")] // Not a trusted proxy: its headers change nothing.
    [InlineData("10.1.2.3", "198.51.100.7", "198.51.100.7", "https")] // A trusted proxy: the client is the forwarded one.
    [InlineData("10.1.2.3", "127.0.0.1, 203.0.113.50", "203.0.113.50", "https")] // Only the hop the trusted proxy saw; the rest is the client's to forge.
    public async Task A_forwarded_address_counts_only_when_the_connection_comes_from_a_trusted_proxy(string connection, string forwardedFor, string seen, string scheme)
    {
        var builder = WebApplication.CreateSlimBuilder();
        await using var app = builder.Build();
        Kairos.Server.Access.ForwardedHeaders.Use(app, new ApiSettings { TrustedProxies = [IPNetwork.Parse("10.0.0.0/8")] });
        (IPAddress? Address, string Scheme) after = default;
        app.Run(context =>
        {
            after = (context.Connection.RemoteIpAddress, context.Request.Scheme);
            return Task.CompletedTask;
        });
        var pipeline = ((IApplicationBuilder)app).Build();
        var context = new DefaultHttpContext { RequestServices = app.Services };
        context.Connection.RemoteIpAddress = IPAddress.Parse(connection);
        context.Request.Scheme = "http";
        context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        context.Request.Headers["X-Forwarded-Proto"] = "https";

        await pipeline(context);

        Assert.Equal((IPAddress.Parse(seen), scheme), (after.Address, after.Scheme));
    }
}
