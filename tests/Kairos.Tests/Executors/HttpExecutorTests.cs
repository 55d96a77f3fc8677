using System.Net;
using System.Text.Json;
using Kairos.Executors;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Executors;

public sealed class HttpExecutorTests : IDisposable
{
    private readonly HttpClient _client = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly TestLog _log = new();

    public void Dispose() => _client.Dispose();

    private Task<ExecutionResult> RunAsync(HttpExecutorSpec spec, string? payload = null, TimeProvider? time = null, CancellationToken cancellationToken = default) =>
        new HttpExecutor(new SingleHttpClientFactory(_client), time).ExecuteAsync(Contexts.For(spec, _log, payload), cancellationToken);

    private static JsonElement Output(ExecutionResult result) => JsonDocument.Parse(result.Output!).RootElement;

    /// <summary>A clock stuck at one instant.</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public void Kind_is_http() => Assert.Equal("http", new HttpExecutor(new SingleHttpClientFactory(_client)).Kind);

    [Fact]
    public async Task Ok_with_json_body_succeeds_with_parsed_body()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 200, """{"ok":true,"items":[1,2]}""", "application/json; charset=utf-8"));

        var result = await RunAsync(new HttpExecutorSpec("get", server.BaseUrl + "/status?x=1"));

        Assert.True(result.Succeeded, result.Error);
        var output = Output(result);
        Assert.Equal(200, output.GetProperty("status").GetInt32());
        Assert.Equal("application/json; charset=utf-8", output.GetProperty("headers").GetProperty("content-type").GetString());
        Assert.True(output.GetProperty("body").GetProperty("ok").GetBoolean());
        Assert.Equal(2, output.GetProperty("body").GetProperty("items").GetArrayLength());
        var request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/status?x=1", request.PathAndQuery);
        var http = _log.Stream("http");
        Assert.Equal($"GET {server.BaseUrl}/status?x=1", http[0]);
        Assert.StartsWith("200 OK", http[1]);
    }

    [Fact]
    public async Task Ok_with_text_body_keeps_it_as_a_string_and_truncates_it()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 200, new string('z', 5000) + "{}", "text/plain"));

        var result = await RunAsync(new HttpExecutorSpec("GET", server.BaseUrl + "/") { MaxResponseBytes = 1000 });

        Assert.True(result.Succeeded, result.Error);
        var output = Output(result);
        Assert.Equal(new string('z', 1000), output.GetProperty("body").GetString());
        Assert.True(output.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Server_error_is_retryable()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 500, """{"error":"boom"}""", "application/json"));

        var result = await RunAsync(new HttpExecutorSpec("POST", server.BaseUrl + "/jobs"));

        Assert.False(result.Succeeded);
        Assert.True(result.Retryable);
        Assert.Null(result.RetryAfter);
        Assert.Equal($"HTTP 500 Internal Server Error from {server.BaseUrl}/jobs", result.Error);
        Assert.Equal("boom", Output(result).GetProperty("body").GetProperty("error").GetString());
        Assert.Equal(500, Output(result).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Too_many_requests_is_retryable_after_the_delay_asked_for()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 429, "slow down", "text/plain", ("Retry-After", "7")));

        var result = await RunAsync(new HttpExecutorSpec("GET", server.BaseUrl + "/"));

        Assert.False(result.Succeeded);
        Assert.True(result.Retryable);
        Assert.Equal(TimeSpan.FromSeconds(7), result.RetryAfter);
        Assert.StartsWith("HTTP 429 Too Many Requests from", result.Error);
        Assert.Equal("slow down", Output(result).GetProperty("body").GetString());
    }

    [Fact]
    public async Task Retry_after_as_http_date_is_relative_to_the_time_provider()
    {
        var now = new DateTimeOffset(2030, 5, 6, 7, 8, 0, TimeSpan.Zero);
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 503, "", null, ("Retry-After", now.AddSeconds(90).ToString("R"))));

        var result = await RunAsync(new HttpExecutorSpec("GET", server.BaseUrl + "/"), time: new FixedTime(now));

        Assert.False(result.Succeeded);
        Assert.True(result.Retryable);
        Assert.Equal(TimeSpan.FromSeconds(90), result.RetryAfter);
        Assert.StartsWith("HTTP 503 Service Unavailable from", result.Error);
    }

    [Theory]
    [InlineData(404, false)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(408, true)]
    [InlineData(502, true)]
    public async Task Client_errors_fail_for_good_except_408(int status, bool retryable)
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, status, "nope"));

        var result = await RunAsync(new HttpExecutorSpec("GET", server.BaseUrl + "/thing"));

        Assert.False(result.Succeeded);
        Assert.Equal(retryable, result.Retryable);
        Assert.StartsWith($"HTTP {status} ", result.Error);
        Assert.EndsWith($" from {server.BaseUrl}/thing", result.Error);
    }

    [Fact]
    public async Task Connection_refused_is_retryable_and_names_the_url()
    {
        var url = $"http://127.0.0.1:{TestHttpServer.FreePort()}/hook";

        var result = await RunAsync(new HttpExecutorSpec("GET", url));

        Assert.False(result.Succeeded);
        Assert.True(result.Retryable);
        Assert.StartsWith($"HTTP request to {url} failed: connection refused", result.Error);
        Assert.Contains(result.Error!, _log.Stream("http"));
    }

    [Fact]
    public async Task Request_timeout_is_retryable()
    {
        await using var server = new TestHttpServer(async c =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            await TestHttpServer.RespondAsync(c, 200, "late");
        });

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await RunAsync(new HttpExecutorSpec("GET", server.BaseUrl + "/slow") { RequestTimeout = TimeSpan.FromMilliseconds(300) });

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.False(result.Succeeded);
        Assert.True(result.Retryable);
        Assert.Equal($"HTTP request to {server.BaseUrl}/slow timed out after 300 ms", result.Error);
    }

    [Fact]
    public async Task Cancellation_fails_the_request()
    {
        await using var server = new TestHttpServer(async c =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None);
            await TestHttpServer.RespondAsync(c, 200, "late");
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var result = await RunAsync(new HttpExecutorSpec("GET", server.BaseUrl + "/"), cancellationToken: cancel.Token);

        Assert.False(result.Succeeded);
        Assert.Equal($"HTTP request to {server.BaseUrl}/ was cancelled", result.Error);
    }

    [Fact]
    public async Task Url_headers_and_body_are_templated()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 201, "", null));
        const string payload = """{ "id": 42, "tenant": "acme corp", "items": [ "a", "b" ] }""";
        var spec = new HttpExecutorSpec("POST", server.BaseUrl + "/orders/{{ payload.id }}/items?first={{payload.items.0}}")
        {
            Headers = new Dictionary<string, string> { ["X-Tenant"] = "{{payload.tenant}}", ["Authorization"] = "Bearer t0k3n" },
            Body = """{"order":{{payload.id}},"data":{{payload}}}""",
        };

        var result = await RunAsync(spec, payload);

        Assert.True(result.Succeeded, result.Error);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/orders/42/items?first=a", request.PathAndQuery);
        Assert.Equal("acme corp", request.Headers["X-Tenant"]);
        Assert.Equal("Bearer t0k3n", request.Headers["Authorization"]);
        Assert.Equal("""{"order":42,"data":{"id":42,"tenant":"acme corp","items":["a","b"]}}""", request.Body);
        Assert.Equal("application/json; charset=utf-8", request.Headers["Content-Type"]);
        Assert.Equal(201, Output(result).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_json_body_stays_json_when_a_completion_inserts_its_parents_output()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 200, "", null));
        // The payload of a completion-triggered run: the parent's output has quotes and a newline.
        const string payload = """{"parent": {"output": {"note": "a \"quoted\"\nline", "n": 2}, "error": null}}""";
        var spec = new HttpExecutorSpec("POST", server.BaseUrl + "/")
        {
            Body = """{"parent":"{{payload.parent.output}}","error":"{{payload.parent.error}}","text":"note: {{payload.parent.output.note}}"}""",
        };

        var result = await RunAsync(spec, payload);

        Assert.True(result.Succeeded, result.Error);
        var body = JsonDocument.Parse(Assert.Single(server.Requests).Body).RootElement;
        Assert.Equal("a \"quoted\"\nline", body.GetProperty("parent").GetProperty("note").GetString());
        Assert.Equal(2, body.GetProperty("parent").GetProperty("n").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("error").ValueKind);
        Assert.Equal("note: a \"quoted\"\nline", body.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Explicit_content_type_header_is_used()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 204));

        var result = await RunAsync(new HttpExecutorSpec("PUT", server.BaseUrl + "/")
        {
            Headers = new Dictionary<string, string> { ["Content-Type"] = "text/csv" },
            Body = "a,b\n1,2\n",
        });

        Assert.True(result.Succeeded, result.Error);
        var request = Assert.Single(server.Requests);
        Assert.Equal("text/csv", request.Headers["Content-Type"]);
        Assert.Equal("a,b\n1,2\n", request.Body);
    }

    [Fact]
    public async Task Template_errors_and_bad_urls_fail_for_good_without_a_request()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 200));

        var missing = await RunAsync(new HttpExecutorSpec("GET", server.BaseUrl + "/{{payload.id}}"), """{"x":1}""");
        Assert.False(missing.Retryable);
        Assert.Equal("URL of the request: template path 'payload.id' is missing from the payload", missing.Error);

        var header = await RunAsync(new HttpExecutorSpec("GET", server.BaseUrl) { Headers = new Dictionary<string, string> { ["X-A"] = "{{payload.a}}" } }, "{}");
        Assert.False(header.Retryable);
        Assert.Contains("header 'X-A'", header.Error);

        var badUrl = await RunAsync(new HttpExecutorSpec("GET", "ftp://example.com/x"));
        Assert.False(badUrl.Retryable);
        Assert.Contains("not an absolute http or https URL", badUrl.Error);

        Assert.Empty(server.Requests);
    }
}
