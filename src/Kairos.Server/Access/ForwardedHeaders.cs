using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Kairos.Server.Access;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address. With <c>api.trustedProxies</c>
/// set, ASP.NET Core's forwarded-headers middleware takes the client's address and scheme from
/// <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> when, and only when, the connection comes from
/// one of them (walking back through a chain of trusted proxies), so the webhooks' per-address
/// rate limit and the loopback check see the real client. Without the setting the middleware is not
/// installed: those headers change nothing, since anyone can send them. The framework's default
/// trust of loopback proxies is cleared, so a local process cannot pose as a remote client either.
/// </summary>
internal static class ForwardedHeaders
{
    public static void Use(WebApplication app, Configuration.ApiSettings api)
    {
        if (api.TrustedProxies.Count == 0)
        {
            return;
        }
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
            ForwardLimit = null, // Stops at the first address that is not a trusted proxy anyway.
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in api.TrustedProxies)
        {
            options.KnownIPNetworks.Add(network);
        }
        app.UseForwardedHeaders(options);
    }
}
