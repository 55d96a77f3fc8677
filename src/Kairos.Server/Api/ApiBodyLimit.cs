using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Kairos.Server.Api;

/// <summary>
/// Request bodies under <c>/api</c> are at most <see cref="MaxBytes"/> (1 MiB): job definitions,
/// run payloads, events, subscriptions and webhooks are all far smaller, and a body is held in
/// memory to be parsed. A larger one is answered 413 problem+json.
/// <para>
/// The limit is this class's, not Kestrel's: Kestrel refuses a body over its own limit without
/// reading it and then closes the connection, and a client still sending gets a reset instead of
/// the answer. Here the body is refused at 1 MiB, then Kestrel reads the rest and drops it, so the
/// client finishes sending and reads the 413. Kestrel's limit, raised to <see cref="DrainBytes"/>
/// (64 MiB) for the API, only bounds that draining. Webhook deliveries (<c>/hooks</c>) keep their own per-hook limit.
/// </para>
/// </summary>
internal sealed class ApiBodyLimit(RequestDelegate next)
{
    public const long MaxBytes = 1024 * 1024;
    public const long DrainBytes = 64 * 1024 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrelLimit)
            {
                kestrelLimit.MaxRequestBodySize = DrainBytes;
            }
            if (context.Request.ContentLength > MaxBytes)
            {
                throw TooLarge();
            }
        }
        return next(context);
    }

    /// <summary>The whole body, refused past <see cref="MaxBytes"/> also when its length was not announced (chunked).</summary>
    public static async Task<MemoryStream> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (body.Length + read > MaxBytes)
            {
                throw TooLarge();
            }
            body.Write(chunk, 0, read);
        }
        body.Position = 0;
        return body;
    }

    private static BadHttpRequestException TooLarge() =>
        new($"the request body is larger than the {MaxBytes} bytes (1 MiB) the API accepts", StatusCodes.Status413PayloadTooLarge);
}
