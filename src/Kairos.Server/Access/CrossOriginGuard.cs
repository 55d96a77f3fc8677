using Kairos.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Kairos.Server.Access;

/// <summary>
/// Refuses a change to the API (any method but GET, HEAD, OPTIONS) sent by a web page of another
/// origin. Browsers add <c>Origin</c> and <c>Sec-Fetch-Site</c> to such requests, including the
/// "simple" <c>text/plain</c> POSTs a page may send without asking first; without this a page could
/// run jobs on a server that listens on loopback with no key. Programs (the CLI, curl) send neither header.
/// </summary>
internal sealed class CrossOriginGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return next(context);
        }
        if (request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site" || IsForeign(request.Headers.Origin.ToString(), request.Host.Host))
        {
            return ProblemResponses.Write(context, StatusCodes.Status403Forbidden, "Cross-origin request refused",
                "the API does not accept changes sent by web pages of other sites");
        }
        return next(context);
    }

    private static bool IsForeign(string origin, string host) =>
        origin.Length > 0
        && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !string.Equals(uri.Host.Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));
}
