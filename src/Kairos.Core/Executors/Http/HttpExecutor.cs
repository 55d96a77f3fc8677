using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Kairos.Executors.Http;
using Kairos.Model;

namespace Kairos.Executors;

/// <summary>
/// Runs an <see cref="HttpExecutorSpec"/>: one request with the URL, header values and body templated from
/// the payload. 2xx succeeds; 408, 429 and 5xx fail retryably (honouring Retry-After); other statuses fail
/// for good; connection errors and timeouts are retryable.
/// </summary>
/// <remarks>Requests go through the factory's <see cref="Hosting.KairosHttp.ClientName"/> client, which should
/// have an infinite (or long) <see cref="HttpClient.Timeout"/>: each request gets
/// <see cref="HttpExecutorSpec.RequestTimeout"/> of its own.</remarks>
internal sealed class HttpExecutor : IJobExecutor
{
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(100);

    private const string LogStream = "http";

    private static readonly JsonWriterOptions OutputWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Response headers copied into the output.</summary>
    private static readonly string[] SelectedHeaders = ["content-type", "retry-after"];

    private readonly IHttpClientFactory _clients;
    private readonly TimeProvider _timeProvider;

    public HttpExecutor(IHttpClientFactory clients, TimeProvider? timeProvider = null)
    {
        _clients = clients ?? throw new ArgumentNullException(nameof(clients));
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public string Kind => ExecutorKinds.Http;

    public async Task<ExecutionResult> ExecuteAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Job.Executor is not HttpExecutorSpec spec)
        {
            return ExecutionResult.Failure(
                $"job '{context.Job.Name}' has a '{context.Job.Executor.Kind}' executor, not an http executor",
                retryable: false);
        }

        var payload = context.Run.Payload;
        string url;
        try
        {
            url = PayloadTemplate.Render(spec.Url ?? "", payload, context.Templates);
        }
        catch (TemplateException ex)
        {
            return ExecutionResult.Failure($"URL of the request: {ex.Message}", retryable: false);
        }
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return ExecutionResult.Failure($"'{url}' is not an absolute http or https URL", retryable: false);
        }
        var shownUrl = uri.GetComponents(UriComponents.HttpRequestUrl, UriFormat.UriEscaped); // no user:password@

        HttpMethod method;
        try
        {
            method = new HttpMethod((spec.Method ?? "").Trim().ToUpperInvariant());
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            return ExecutionResult.Failure($"'{spec.Method}' is not a valid HTTP method", retryable: false);
        }

        var headers = new List<KeyValuePair<string, string>>(spec.Headers.Count);
        foreach (var (name, template) in spec.Headers)
        {
            try
            {
                headers.Add(new(name, PayloadTemplate.Render(template ?? "", payload, context.Templates, context.Secrets)));
            }
            catch (TemplateException ex)
            {
                return ExecutionResult.Failure($"header '{name}' of the request: {ex.Message}", retryable: false);
            }
        }

        string? body = null;
        if (spec.Body is not null)
        {
            try
            {
                body = PayloadTemplate.RenderJson(spec.Body, payload, context.Templates);
            }
            catch (TemplateException ex)
            {
                return ExecutionResult.Failure($"body of the request: {ex.Message}", retryable: false);
            }
        }

        var timeout = spec.RequestTimeout ?? DefaultRequestTimeout;
        if (timeout <= TimeSpan.Zero)
        {
            return ExecutionResult.Failure($"request timeout must be positive, not {timeout}", retryable: false);
        }

        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        }
        foreach (var (name, value) in headers)
        {
            if (request.Headers.TryAddWithoutValidation(name, value))
            {
                continue;
            }
            // Content-Type and friends belong to the content.
            request.Content ??= new ByteArrayContent([]);
            if (!request.Content.Headers.TryAddWithoutValidation(name, value))
            {
                return ExecutionResult.Failure($"header '{name}' cannot be set on a request", retryable: false);
            }
        }
        if (body is not null && request.Content!.Headers.ContentType is null)
        {
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(
                IsJson(body) ? "application/json" : "text/plain")
            { CharSet = "utf-8" };
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);

        context.Log.Write(LogStream, $"{method.Method} {shownUrl}");
        var started = _timeProvider.GetTimestamp();
        var client = _clients.CreateClient(Hosting.KairosHttp.ClientName);
        try
        {
            using var response = await client
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token)
                .ConfigureAwait(false);
            var (bytes, truncated) = await ReadBodyAsync(response.Content, spec.MaxResponseBytes, timeoutSource.Token)
                .ConfigureAwait(false);

            var status = (int)response.StatusCode;
            var reason = ReasonPhrase(response);
            context.Log.Write(LogStream, $"{status} {reason} ({Elapsed(started)} ms{(truncated ? ", body truncated" : "")})");

            var output = OutputJson(response, bytes, truncated);
            if (status is >= 200 and <= 299)
            {
                return ExecutionResult.Success(output);
            }
            return new ExecutionResult
            {
                Succeeded = false,
                Error = $"HTTP {status} {reason} from {shownUrl}",
                Retryable = status is 408 or 429 or >= 500,
                Output = output,
                RetryAfter = RetryAfter(response.Headers.RetryAfter),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return LoggedFailure(context, $"HTTP request to {shownUrl} was cancelled");
        }
        catch (OperationCanceledException ex) when (timeoutSource.IsCancellationRequested || ex.InnerException is TimeoutException)
        {
            var after = timeoutSource.IsCancellationRequested ? timeout : client.Timeout;
            return LoggedFailure(context, $"HTTP request to {shownUrl} timed out after {FormatDuration(after)}");
        }
        catch (HttpRequestException ex) when (FindInner<OutboundHttpRefusedException>(ex) is { } refused)
        {
            context.Log.Write(LogStream, refused.Message);
            return ExecutionResult.Failure(refused.Message, retryable: false);
        }
        catch (HttpRequestException ex)
        {
            return LoggedFailure(context, $"HTTP request to {shownUrl} failed: {Describe(ex)}");
        }
        catch (IOException ex)
        {
            return LoggedFailure(context, $"HTTP request to {shownUrl} failed while reading the response: {ex.Message}");
        }
    }

    private static ExecutionResult LoggedFailure(ExecutionContext context, string error)
    {
        context.Log.Write(LogStream, error);
        return ExecutionResult.Failure(error, retryable: true);
    }

    private long Elapsed(long started) => (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds;

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - _timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    private static async Task<(byte[] Bytes, bool Truncated)> ReadBodyAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        var limit = Math.Max(0, maxBytes);
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var kept = new ArrayBufferWriter<byte>(Math.Min(limit, 16 * 1024) + 1);
            var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                while (true)
                {
                    var read = await stream.ReadAsync(chunk.AsMemory(), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return (kept.WrittenSpan.ToArray(), false);
                    }
                    var room = limit - kept.WrittenCount;
                    if (read > room)
                    {
                        kept.Write(chunk.AsSpan(0, room));
                        return (kept.WrittenSpan.ToArray(), true); // stop reading; disposing drops the rest
                    }
                    kept.Write(chunk.AsSpan(0, read));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }

    private static string OutputJson(HttpResponseMessage response, byte[] body, bool truncated)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, OutputWriter))
        {
            writer.WriteStartObject();
            writer.WriteNumber("status", (int)response.StatusCode);

            writer.WriteStartObject("headers");
            foreach (var name in SelectedHeaders)
            {
                if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
                {
                    writer.WriteString(name, string.Join(", ", values));
                }
            }
            writer.WriteEndObject();

            writer.WritePropertyName("body");
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (!truncated && body.Length > 0 && (mediaType is null || IsJsonMediaType(mediaType)) && TryParseJson(body, out var document))
            {
                using (document)
                {
                    document.RootElement.WriteTo(writer);
                }
            }
            else
            {
                writer.WriteStringValue(DecodeText(body, response.Content.Headers.ContentType?.CharSet, truncated));
            }
            if (truncated)
            {
                writer.WriteBoolean("truncated", true);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static bool IsJsonMediaType(string mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || mediaType.Equals("text/json", StringComparison.OrdinalIgnoreCase)
        || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);

    private static bool TryParseJson(byte[] body, out JsonDocument document)
    {
        try
        {
            document = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            document = null!;
            return false;
        }
    }

    private static bool IsJson(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string DecodeText(byte[] body, string? charset, bool truncated)
    {
        Encoding encoding = Encoding.UTF8;
        if (!string.IsNullOrEmpty(charset))
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                // unknown charset: read it as UTF-8
            }
        }
        var length = body.Length;
        if (truncated && encoding is UTF8Encoding)
        {
            // Do not end on half a character: drop an incomplete trailing sequence.
            var start = length;
            while (start > 0 && length - start < 4 && (body[start - 1] & 0xC0) == 0x80)
            {
                start--;
            }
            if (start > 0 && body[start - 1] >= 0xC0)
            {
                var lead = body[start - 1];
                var needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
                if (length - (start - 1) < needed)
                {
                    length = start - 1;
                }
            }
        }
        return encoding.GetString(body, 0, length);
    }

    private static string ReasonPhrase(HttpResponseMessage response)
    {
        if (!string.IsNullOrWhiteSpace(response.ReasonPhrase))
        {
            return response.ReasonPhrase;
        }
        var name = response.StatusCode.ToString();
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return "";
        }
        var spaced = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && spaced.Length > 0)
            {
                spaced.Append(' ');
            }
            spaced.Append(c);
        }
        return spaced.ToString();
    }

    private static string Describe(HttpRequestException ex)
    {
        var socketError = FindInner<SocketException>(ex)?.SocketErrorCode;
        var cause = ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "DNS lookup failed",
            HttpRequestError.ConnectionError when socketError == SocketError.ConnectionRefused => "connection refused",
            HttpRequestError.ConnectionError when socketError == SocketError.HostUnreachable => "host unreachable",
            HttpRequestError.ConnectionError when socketError == SocketError.NetworkUnreachable => "network unreachable",
            HttpRequestError.ConnectionError => "could not connect",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ResponseEnded => "the server closed the connection before a complete response",
            HttpRequestError.InvalidResponse => "invalid HTTP response",
            _ => null,
        };
        var detail = FindInner<SocketException>(ex)?.Message ?? ex.Message;
        return cause is null ? detail : $"{cause} ({detail})";
    }

    private static T? FindInner<T>(Exception ex) where T : Exception
    {
        for (Exception? current = ex; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }
        return null;
    }

    private static string FormatDuration(TimeSpan duration) =>
        duration == Timeout.InfiniteTimeSpan ? "an infinite timeout"
        : duration < TimeSpan.FromSeconds(1) ? $"{(long)duration.TotalMilliseconds} ms"
        : $"{duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
}
