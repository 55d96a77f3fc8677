using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Kairos.Access;
using Kairos.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Server.Access;

/// <summary>
/// Every /api endpoint (and /metrics, which keys guard too) against every scope: the table below is the access policy. A new endpoint
/// that is not in it fails the first test, so none can ship without a decided scope.
/// </summary>
public sealed class EndpointScopeTests : IAsyncLifetime
{
    private static readonly Dictionary<string, KairosScope> Policy = new()
    {
        ["GET /api/jobs/"] = KairosScope.Read,
        ["GET /api/jobs/{name}"] = KairosScope.Read,
        ["POST /api/jobs/{name}/run"] = KairosScope.Run,
        ["PUT /api/jobs/{name}"] = KairosScope.Write,
        ["DELETE /api/jobs/{name}"] = KairosScope.Write,
        ["POST /api/apply"] = KairosScope.Write,
        ["POST /api/jobs/{name}/pause"] = KairosScope.Write,
        ["POST /api/jobs/{name}/resume"] = KairosScope.Write,
        ["GET /api/jobs/{name}/next"] = KairosScope.Read,
        ["POST /api/jobs/{name}/backfill"] = KairosScope.Run,
        ["GET /api/runs/"] = KairosScope.Read,
        ["GET /api/runs/{id:long}"] = KairosScope.Read,
        ["GET /api/runs/{id:long}/log"] = KairosScope.Read,
        ["GET /api/runs/{id:long}/journal"] = KairosScope.Read,
        ["GET /api/runs/{id:long}/workflow"] = KairosScope.Read,
        ["GET /api/jobs/{name}/workflow"] = KairosScope.Read,
        ["POST /api/runs/{id:long}/workflow/steps/{step}/send"] = KairosScope.Run,
        ["POST /api/runs/{id:long}/workflow/steps/{step}/skip"] = KairosScope.Run,
        ["POST /api/runs/{id:long}/workflow/retry"] = KairosScope.Run,
        ["POST /api/runs/{id:long}/workflow/pause"] = KairosScope.Run,
        ["POST /api/runs/{id:long}/workflow/resume"] = KairosScope.Run,
        ["POST /api/runs/{id:long}/workflow/cancel"] = KairosScope.Run,
        ["POST /api/runs/{id:long}/workflow/migrate"] = KairosScope.Write,
        ["POST /api/runs/{id:long}/cancel"] = KairosScope.Run,
        ["POST /api/runs/{id:long}/retry"] = KairosScope.Run,
        ["POST /api/events/"] = KairosScope.Run,
        ["GET /api/events/"] = KairosScope.Read,
        ["GET /api/events/{id:long}"] = KairosScope.Read,
        ["POST /api/events/{id:long}/cancel"] = KairosScope.Run,
        ["POST /api/events/{id:long}/retry"] = KairosScope.Run,
        ["POST /api/events/{id:long}/replay"] = KairosScope.Run,
        ["POST /api/events/replay"] = KairosScope.Run,
        ["GET /api/subscriptions/"] = KairosScope.Read,
        ["GET /api/subscriptions/{name}"] = KairosScope.Read,
        ["PUT /api/subscriptions/{name}"] = KairosScope.Write,
        ["DELETE /api/subscriptions/{name}"] = KairosScope.Write,
        ["GET /api/webhooks/"] = KairosScope.Read,
        ["GET /api/webhooks/{name}"] = KairosScope.Read,
        ["PUT /api/webhooks/{name}"] = KairosScope.Write,
        ["DELETE /api/webhooks/{name}"] = KairosScope.Write,
        ["GET /api/keys/"] = KairosScope.Admin,
        ["POST /api/keys/"] = KairosScope.Admin,
        ["DELETE /api/keys/{name}"] = KairosScope.Admin,
        ["GET /api/secrets/"] = KairosScope.Admin,
        ["PUT /api/secrets/{name}"] = KairosScope.Admin,
        ["DELETE /api/secrets/{name}"] = KairosScope.Admin,
        ["POST /api/secrets/rotate"] = KairosScope.Admin,
        ["GET /api/nodes"] = KairosScope.Read,
        ["GET /api/namespaces"] = KairosScope.Read,
        ["GET /api/stats"] = KairosScope.Read,
        ["GET /metrics"] = KairosScope.Read,
    };

    private InProcessServer _server = null!;
    private readonly Dictionary<KairosScope, string> _tokens = [];

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync("jobs:\n  nap:\n    handler: echo\n");
        foreach (var scope in Enum.GetValues<KairosScope>())
        {
            _tokens[scope] = (await _server.Client.CreateApiKeyAsync(scope.ToWire(), scope)).Token;
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void Every_api_endpoint_has_a_decided_scope()
    {
        var mapped = ApiEndpoints().Select(e => e.Key).ToHashSet();

        Assert.Empty(mapped.Except(Policy.Keys));
        Assert.Empty(Policy.Keys.Except(mapped));
    }

    [Fact]
    public async Task A_key_below_the_endpoints_scope_is_refused_and_one_with_it_is_let_through()
    {
        foreach (var (endpoint, required) in Policy)
        {
            var (method, path) = Request(endpoint);
            foreach (var scope in Enum.GetValues<KairosScope>())
            {
                using var response = await SendAsync(method, path, _tokens[scope]);
                var status = response.StatusCode;
                if (scope < required)
                {
                    Assert.True(status == HttpStatusCode.Forbidden, $"{endpoint} with a {scope.ToWire()} key answered {status}");
                    Assert.Contains($"needs scope {required.ToWire()}", await response.Content.ReadAsStringAsync());
                }
                else
                {
                    Assert.True(status is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized), $"{endpoint} with a {scope.ToWire()} key answered {status}");
                }
            }
        }
    }

    [Fact]
    public async Task Once_a_key_exists_every_api_endpoint_wants_one_even_from_loopback()
    {
        foreach (var endpoint in Policy.Keys)
        {
            var (method, path) = Request(endpoint);
            using var none = await SendAsync(method, path, token: null);
            Assert.True(none.StatusCode == HttpStatusCode.Unauthorized, $"{endpoint} without a key answered {none.StatusCode}");
            using var wrong = await SendAsync(method, path, "kairos_000000000000_guessed");
            Assert.True(wrong.StatusCode == HttpStatusCode.Unauthorized, $"{endpoint} with a made-up key answered {wrong.StatusCode}");
        }
    }

    private IEnumerable<KeyValuePair<string, RouteEndpoint>> ApiEndpoints() =>
        _server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true || e.RoutePattern.RawText == "/metrics")
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
                .Select(m => KeyValuePair.Create($"{m} {e.RoutePattern.RawText}", e)));

    private static (HttpMethod Method, string Path) Request(string endpoint)
    {
        var space = endpoint.IndexOf(' ');
        var path = endpoint[(space + 1)..].Replace("{name}", "nap").Replace("{id:long}", "1");
        return (new HttpMethod(endpoint[..space]), path);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (method != HttpMethod.Get)
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }
        return await _server.Http.SendAsync(request);
    }
}
