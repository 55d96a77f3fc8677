using Kairos.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Api;

/// <summary>
/// Request bodies under <c>/api</c> are at most <c>api.maxBodyBytes</c> (<see cref="ApiSettings.MaxBodyBytes"/>,
/// 1 MiB by default, 1 KiB–64 MiB): job definitions, run payloads, events, subscriptions and
/// webhooks are all far smaller, and a body is held in memory to be parsed. A larger one is
/// answered 413 problem+json saying the limit.
/// <para>
/// The limit is this class's, not Kestrel's: Kestrel refuses a body over its own limit without
/// reading it and then closes the connection, and a client still sending gets a reset instead of
/// the answer. Here the body is refused at the limit, then Kestrel reads the rest and drops it, so
/// the client finishes sending and reads the 413. Kestrel's limit, raised to the limit plus
/// <see cref="DrainBytes"/> (64 MiB) for the API, only bounds that draining. Webhook deliveries
/// (<c>/hooks</c>) keep their own per-hook limit.
/// </para>
/// </summary>
internal sealed class ApiBodyLimit(RequestDelegate next, ApiSettings api)
{
    public const long DrainBytes = 64 * 1024 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrelLimit)
            {
                kestrelLimit.MaxRequestBodySize = api.MaxBodyBytes + DrainBytes;
            }
            if (context.Request.ContentLength > api.MaxBodyBytes)
            {
                throw TooLarge(api.MaxBodyBytes);
            }
        }
        return next(context);
    }

    /// <summary>The whole body, refused past the limit also when its length was not announced (chunked).</summary>
    public static async Task<MemoryStream> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var max = request.HttpContext.RequestServices.GetService<ApiSettings>()?.MaxBodyBytes ?? ApiSettings.DefaultMaxBodyBytes;
        var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (body.Length + read > max)
            {
                throw TooLarge(max);
            }
            body.Write(chunk, 0, read);
        }
        body.Position = 0;
        return body;
    }

    private static BadHttpRequestException TooLarge(long max) =>
        new($"the request body is larger than the {max} bytes{Readable(max)} the API accepts (api.maxBodyBytes)", StatusCodes.Status413PayloadTooLarge);

    private static string Readable(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $" ({bytes / (1024 * 1024)} MiB)" : bytes % 1024 == 0 ? $" ({bytes / 1024} KiB)" : "";
}
