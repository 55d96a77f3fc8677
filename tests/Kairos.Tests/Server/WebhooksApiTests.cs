using System.Net;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>Bad webhook definitions over <c>PUT /api/webhooks/{name}</c> are 400 problems naming the field, never 500s.</summary>
public sealed class WebhooksApiTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("jobs: {}\n");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string> BadDefinitions => new()
    {
        { """{"verify":"standard","secret":"whsec_not base64!"}""", "secret: is not a Standard Webhooks secret" },
        { """{"verify":"github"}""", "secret: verifying signatures needs a secret" },
        { """{"maxBodyBytes":9223372036854775807}""", "maxBodyBytes: 9223372036854775807 is out of range" },
        { """{"rateLimit":{"requests":0,"per":"1s"}}""", "rateLimit.requests: 0 is out of range" },
        { """{"headers":[""]}""", "headers: a header name is empty" },
        { """{"verify":"hmac","secret":"s"}""", "hmac: verify: hmac needs the signature's layout" },
        { """{"verify":"hmac","secret":"s","hmac":{"header":"X-Sig","signedContent":"{{query.x}}"}}""", "hmac.signedContent: '{{query.x}}' at character 1" },
        { """{"verify":"hmac","secret":"s","hmac":{"header":"X-Sig","algorithm":"md5"}}""", "hmac.algorithm: 'md5' is not one of: sha1, sha256, sha512" },
        { """{"verify":"sha3"}""", "verify: 'sha3' is not one of: none, github, standard, bearer, stripe, hmac" },
        { """{"maxBodyBytes":"big"}""", "maxBodyBytes" },
    };

    [Theory]
    [MemberData(nameof(BadDefinitions))]
    public async Task A_bad_definition_is_a_400_problem_naming_the_field(string json, string expected)
    {
        using var response = await _server.Http.PutAsync("/api/webhooks/h", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
    }
}
