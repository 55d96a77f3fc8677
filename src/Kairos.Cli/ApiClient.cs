using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Server;

namespace Kairos.Cli;

/// <summary>A failed API call, with the server's problem detail when it sent one.</summary>
internal sealed class ApiException(string message, HttpStatusCode? status = null) : Exception(message)
{
    /// <summary>The HTTP status the server answered with; null when it could not be reached.</summary>
    public HttpStatusCode? Status { get; } = status;
}

/// <summary>
/// Talks to a Kairos server's REST API (--server URL, else KAIROS_URL, else the local default),
/// with the API key from --api-key, else KAIROS_API_KEY, when one is given, in the namespace from
/// --namespace, else KAIROS_NAMESPACE (sent as ?namespace= on every request).
/// </summary>
internal sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string? _namespace;

    public ApiClient(string baseUrl, string? apiKey = null, string? ns = null)
    {
        _namespace = string.IsNullOrEmpty(ns) ? null : ns;
        _http = new HttpClient { BaseAddress = new Uri(baseUrl.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(5) };
        if (!string.IsNullOrEmpty(apiKey))
        {
            if (apiKey.Any(char.IsControl))
            {
                throw new UsageException("the API key (--api-key or KAIROS_API_KEY) contains a line break or another control character: pass the token alone");
            }
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    /// <param name="inNamespace">False for requests about what belongs to no namespace (keys), where --namespace means something else.</param>
    public static ApiClient For(CliArgs args, bool inNamespace = true) => new(
        args.Get("--server") ?? Environment.GetEnvironmentVariable("KAIROS_URL") ?? ServeOptions.DefaultUrl,
        args.Get("--api-key") ?? Environment.GetEnvironmentVariable("KAIROS_API_KEY"),
        inNamespace ? args.Get("--namespace") ?? Environment.GetEnvironmentVariable("KAIROS_NAMESPACE") : null);

    public Task<JsonNode?> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    /// <summary>A GET that answers null where the server says 404 (to ask whether something exists).</summary>
    public async Task<JsonNode?> FindAsync(string path)
    {
        try
        {
            return await GetAsync(path);
        }
        catch (ApiException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A GET whose answer is plain text (a workflow's graph).</summary>
    public async Task<string> GetTextAsync(string path) => await SendForTextAsync(HttpMethod.Get, path, null);

    public Task<JsonNode?> PostAsync(string path, string? jsonBody = null) => SendAsync(HttpMethod.Post, path, jsonBody);

    public Task<JsonNode?> PutAsync(string path, string jsonBody) => SendAsync(HttpMethod.Put, path, jsonBody);

    /// <summary>A POST whose body is text of another type (a YAML configuration).</summary>
    public Task<JsonNode?> PostTextAsync(string path, string body, string mediaType) => SendAsync(HttpMethod.Post, path, body, mediaType);

    public Task<JsonNode?> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, string? body, string mediaType = "application/json") =>
        await SendForTextAsync(method, path, body, mediaType) is { } text && !string.IsNullOrWhiteSpace(text) ? JsonNode.Parse(text) : null;

    private async Task<string> SendForTextAsync(HttpMethod method, string path, string? body, string mediaType = "application/json")
    {
        if (_namespace is not null)
        {
            path += (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "namespace=" + Uri.EscapeDataString(_namespace);
        }
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request);
        }
        catch (HttpRequestException ex)
        {
            throw new ApiException($"cannot reach the Kairos server at {_http.BaseAddress}: {ex.Message}. Is `kairos serve` running? (set --server or KAIROS_URL)");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiException(Problem(response.StatusCode, text), response.StatusCode);
            }
            return text;
        }
    }

    private static string Problem(HttpStatusCode status, string text)
    {
        try
        {
            var problem = JsonNode.Parse(text);
            if (problem?["detail"]?.GetValue<string>() is { } detail)
            {
                return $"{(int)status} {problem["title"]?.GetValue<string>() ?? status.ToString()}: {detail}";
            }
        }
        catch (JsonException)
        {
            // Not problem+json: fall through to the raw text.
        }
        return $"{(int)status} {status}: {text}";
    }

    public void Dispose() => _http.Dispose();
}
