using Kairos;
using Kairos.Access;
using Kairos.Client;
using Kairos.Configuration;
using Kairos.Server.Api;
using Kairos.Server.Observability;
using Microsoft.AspNetCore.Http;

namespace Kairos.Server.Access;

/// <summary>
/// The one policy for every <c>/api</c> endpoint. A request carries <c>Authorization: Bearer KEY</c>
/// and may call an endpoint when the key's scope reaches the endpoint's <see cref="RequiredScope"/>.
/// While no key exists at all, the server listens on loopback only (<see cref="ExposureCheck"/>) and a
/// local request without a key acts as an admin, so a new install works without set-up; once a key
/// exists, every request needs one. Keys are bearer tokens, never cookies, so a page in a browser
/// cannot make a request carry one. <c>/metrics</c> is guarded the same way unless
/// <c>api.publicMetrics</c> lets a scraper in without a key.
/// </summary>
internal sealed class ApiKeyAuthentication(RequestDelegate next, IKairosClient kairos, ApiSettings access)
{
    public async Task InvokeAsync(HttpContext context, RequestCaller requestCaller)
    {
        if (!context.Request.Path.StartsWithSegments("/api") && !(context.Request.Path.StartsWithSegments(MetricsEndpoint.Path) && !access.PublicMetrics))
        {
            await next(context);
            return;
        }
        var (caller, refusal) = await AuthenticateAsync(context);
        if (caller is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await ProblemResponses.Write(context, StatusCodes.Status401Unauthorized, "Unauthorized", refusal!);
            return;
        }
        // An endpoint that forgot to declare its scope is treated as admin-only: a mistake fails closed.
        var required = context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>()?.Scope ?? KairosScope.Admin;
        if (!caller.Holds(required))
        {
            await ProblemResponses.Write(context, StatusCodes.Status403Forbidden, "Forbidden",
                $"{context.Request.Method} {context.Request.Path} needs scope {required.ToWire()}; key '{caller.Name}' has scope {caller.Scope.ToWire()}");
            return;
        }
        try
        {
            requestCaller.Bind(kairos, caller, AskedNamespace(context));
        }
        catch (KairosException ex) when (ex is KairosValidationException or KairosNotFoundException)
        {
            await ProblemResponses.Write(context, ex is KairosNotFoundException ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest,
                ex is KairosNotFoundException ? "Not Found" : "Bad Request", ex.Message);
            return;
        }
        await next(context);
    }

    /// <summary>
    /// The namespace a request asks for: <c>?namespace=NAME</c>, or a name in the URL that says it
    /// (<c>/api/jobs/billing%2Freport</c>; the server leaves an encoded slash encoded), which then
    /// stands for its local part. Both, disagreeing, is a 400. Not for keys and secrets, which have no namespace.
    /// </summary>
    private static string? AskedNamespace(HttpContext context)
    {
        var asked = context.Request.Query["namespace"].FirstOrDefault();
        if (context.Request.Path.StartsWithSegments("/api/keys") || context.Request.Path.StartsWithSegments("/api/secrets"))
        {
            return asked; // Keys and secrets belong to no namespace: an encoded slash stays in the name, which refuses it.
        }
        foreach (var (key, value) in context.Request.RouteValues.ToList())
        {
            if (value is string text && text.IndexOf("%2F", StringComparison.OrdinalIgnoreCase) is var slash and > 0)
            {
                var ns = text[..slash];
                if (asked is not null && asked != ns)
                {
                    throw new KairosValidationException($"the URL names namespace '{ns}' but ?namespace= says '{asked}'");
                }
                asked = ns;
                context.Request.RouteValues[key] = text[(slash + 3)..];
            }
        }
        return asked;
    }

    private async Task<(KairosCaller? Caller, string? Refusal)> AuthenticateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return (null, "the Authorization header must be 'Bearer KEY'");
            }
            var key = await ApiKeyCallers.FromKeyAsync(kairos, access, header["Bearer ".Length..].Trim(), context.RequestAborted);
            return key is null ? (null, "the API key is unknown, revoked or expired") : (key, null);
        }
        return await ApiKeyCallers.WithoutKeyAsync(kairos, access, context);
    }
}
