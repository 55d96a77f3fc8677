using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary><c>api.maxBodyBytes</c> sets the largest /api body; a larger one is a 413 naming the limit, announced or chunked.</summary>
public sealed class ApiBodyLimitTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("""
        api:
          maxBodyBytes: 4096
        jobs:
          x:
            handler: noop
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Payload(int size) => $$"""{"text":"{{new string('a', size)}}"}""";

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // Chunked: no Content-Length, refused while reading.
    public async Task A_body_over_the_configured_limit_is_a_413_saying_the_limit(bool chunked)
    {
        HttpContent content = chunked
            ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(Payload(5000))))
            : new StringContent(Payload(5000), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs/x/run") { Content = content };
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }

        using var response = await _server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var detail = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>();
        Assert.Contains("larger than the 4096 bytes (4 KiB) the API accepts (api.maxBodyBytes)", detail);
    }

    [Fact]
    public async Task A_body_within_the_configured_limit_is_accepted()
    {
        using var response = await _server.Http.PostAsync("/api/jobs/x/run", new StringContent(Payload(3000), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
