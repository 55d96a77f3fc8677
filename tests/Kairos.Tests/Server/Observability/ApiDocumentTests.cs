using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Kairos.Access;
using Kairos.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Kairos.Tests.Server.Observability;

/// <summary>
/// <c>/openapi/v1.json</c> from a real server: a valid OpenAPI document that lists every mapped
/// <c>/api</c> endpoint with its method, its parameters, the problems it may answer, and a request body with a
/// schema wherever the endpoint reads one.
/// </summary>
public sealed class ApiDocumentTests : IAsyncLifetime
{
    private InProcessServer _server = null!;
    private JsonNode _document = null!;
    private string _text = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync("jobs:\n  nap:\n    handler: echo\n");
        await _server.Client.CreateApiKeyAsync("someone", KairosScope.Admin); // The document needs no key even so.
        using var response = await _server.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _text = await response.Content.ReadAsStringAsync();
        _document = JsonNode.Parse(_text)!;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void It_is_a_valid_OpenAPI_document()
    {
        var read = OpenApiDocument.Parse(_text, OpenApiConstants.Json, new OpenApiReaderSettings());

        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.StartsWith("3.", _document["openapi"]!.GetValue<string>());
    }

    [Fact]
    public void Every_api_endpoint_is_in_it_with_its_method_and_every_body_it_reads_has_a_schema()
    {
        var endpoints = ApiEndpoints().ToList();
        Assert.NotEmpty(endpoints);
        foreach (var (method, path, readsBody) in endpoints)
        {
            var operation = _document["paths"]?[path]?[method.ToLowerInvariant()];
            Assert.True(operation is not null, $"{method} {path} is not in the document");
            if (readsBody)
            {
                var content = operation!["requestBody"]?["content"]?.AsObject();
                Assert.True(content is { Count: > 0 }, $"{method} {path} reads a body the document does not show");
                Assert.All(content!, c => Assert.True(c.Value?["schema"] is not null, $"{method} {path}: {c.Key} has no schema"));
            }
        }
    }

    [Fact]
    public void Every_api_endpoint_documents_its_parameters_and_the_problems_it_may_answer()
    {
        var missing = new List<string>();
        foreach (var (method, path, _) in ApiEndpoints())
        {
            var operation = _document["paths"]![path]![method.ToLowerInvariant()]!;
            var documented = (operation["parameters"]?.AsArray() ?? []).Select(p => p!["name"]!.GetValue<string>()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            missing.AddRange(BoundFromTheAddress(method, path).Where(p => !documented.Contains(p)).Select(p => $"{method} {path}: parameter '{p}'"));
            var responses = operation["responses"]!.AsObject();
            List<string> problems = ["401", "403"];
            if (path.Contains('{'))
            {
                problems.Add("404");
            }
            if (documented.Count > 0 || operation["requestBody"] is not null)
            {
                problems.Add("400");
            }
            missing.AddRange(problems.Where(status => responses[status]?["content"]?["application/problem+json"]?["schema"] is null)
                .Select(status => $"{method} {path}: a {status} problem response"));
            if (!responses.Any(r => r.Key.StartsWith('2')))
            {
                missing.Add($"{method} {path}: a success response");
            }
        }
        Assert.True(missing.Count == 0, "not in the document:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void A_poll_triggers_poll_is_described_as_a_pollers_name_an_http_check_or_a_sql_query()
    {
        var job = Resolve(_document["paths"]!["/api/jobs/{name}"]!["put"]!["requestBody"]!["content"]!["application/json"]!["schema"]!);
        var trigger = Resolve(Resolve(job["properties"]!["triggers"]!)["items"]!);
        var choices = trigger["properties"]!["poll"]!["oneOf"]!.AsArray();

        Assert.Equal(3, choices.Count);
        Assert.Equal("string", choices[0]!["type"]!.ToString());
        var http = Resolve(choices[1]!["properties"]!["http"]!)["properties"]!.AsObject();
        var sql = Resolve(choices[2]!["properties"]!["sql"]!)["properties"]!.AsObject();
        Assert.All(["url", "headers", "status", "field", "equals", "onChange"], field => Assert.True(http.ContainsKey(field), $"http: no '{field}'"));
        Assert.All(["provider", "connection", "connectionEnv", "query", "watermark"], field => Assert.True(sql.ContainsKey(field), $"sql: no '{field}'"));
    }

    [Theory]
    [InlineData("/api/jobs/{name}", "handler", "command", "http", "workflow", "triggers", "retry", "flow", "notify")]
    [InlineData("/api/subscriptions/{name}", "events", "filter", "job", "active")]
    [InlineData("/api/webhooks/{name}", "verify", "secret", "secretEnv", "replayWindow", "rateLimit", "hmac")]
    public void Job_subscription_and_webhook_bodies_are_described_in_the_schema_of_the_YAML_file(string path, params string[] fields)
    {
        var put = _document["paths"]![path]!["put"]!;
        var body = Resolve(put["requestBody"]!["content"]!["application/json"]!["schema"]!);
        var answer = Resolve(put["responses"]!["200"]!["content"]!["application/json"]!["schema"]!);
        var shown = Resolve(_document["paths"]![path]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!);

        foreach (var schema in new[] { body, answer, shown })
        {
            var properties = schema["properties"]?.AsObject();
            Assert.True(properties is not null, $"{path}: the schema has no properties: {schema.ToJsonString()}");
            Assert.All(fields, field => Assert.True(properties!.ContainsKey(field), $"{path}: no '{field}' in {string.Join(", ", properties!.Select(p => p.Key))}"));
        }
        var triggers = path == "/api/jobs/{name}" ? Resolve(Resolve(body["properties"]!["triggers"]!)["items"]!) : null;
        Assert.True(triggers is null || triggers["properties"]!.AsObject().ContainsKey("cron"), "a trigger's schema names its kinds");
    }

    /// <summary>An endpoint's path as the document names it: <c>{id:long}</c> is <c>{id}</c>, no trailing slash.</summary>
    private static string Path(RouteEndpoint endpoint) =>
        "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            _ => throw new InvalidOperationException($"unexpected route part in {endpoint.RoutePattern.RawText}"),
        }))));

    /// <summary>A schema, following a <c>$ref</c> to the document's components.</summary>
    private JsonNode Resolve(JsonNode schema) =>
        schema["$ref"] is { } reference
            ? _document["components"]!["schemas"]![reference.GetValue<string>().Split('/')[^1]]!
            : schema["oneOf"] is JsonArray choices ? Resolve(choices.First(c => c!["type"]?.ToString() != "null")!) : schema;

    /// <summary>The names of an endpoint's handler parameters bound from its path or query (numbers, text, times, yes/no).</summary>
    private IEnumerable<string> BoundFromTheAddress(string method, string path)
    {
        Type[] simple = [typeof(string), typeof(int), typeof(long), typeof(bool), typeof(DateTimeOffset)];
        var endpoint = _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .First(e => Path(e) == path && (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method) ?? false));
        return (endpoint.Metadata.GetMetadata<MethodInfo>()?.GetParameters() ?? [])
            .Where(p => simple.Contains(Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType) && p.GetCustomAttributes().All(a => a is not FromKeyedServicesAttribute))
            .Select(p => p.Name!);
    }

    /// <summary>
    /// The mapped /api endpoints as the document names them (<c>{id:long}</c> is <c>{id}</c>, no
    /// trailing slash), and whether each reads a body: a parameter bound from it, or the request itself
    /// on a POST or PUT (read by hand).
    /// </summary>
    private IEnumerable<(string Method, string Path, bool ReadsBody)> ApiEndpoints()
    {
        foreach (var endpoint in _server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (!(endpoint.RoutePattern.RawText ?? "").StartsWith("/api", StringComparison.Ordinal))
            {
                continue;
            }
            var path = Path(endpoint);
            var handler = endpoint.Metadata.GetMetadata<MethodInfo>();
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                var parameters = handler?.GetParameters() ?? [];
                var readsBody = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>() is not null
                    || (method is "POST" or "PUT" && parameters.Any(p => p.ParameterType == typeof(HttpRequest) || p.ParameterType == typeof(HttpContext)));
                yield return (method, path, readsBody);
            }
        }
    }
}
