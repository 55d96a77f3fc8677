using Kairos.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Kairos.Server.Access;

/// <summary>
/// Refuses a request whose Host header names another site, so a web page cannot reach the server
/// through DNS rebinding (a name of the attacker's that resolves to 127.0.0.1). The names allowed
/// are the configured <c>api.allowedHosts</c>, else those of the listen addresses,
/// with the loopback names for a loopback address. Listening on every interface without configured
/// names allows any Host (said at start); API keys then guard the API.
/// </summary>
internal sealed class HostCheck(RequestDelegate next, HostPolicy policy)
{
    public Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Host;
        if (!host.HasValue || !policy.Allows(host.Host))
        {
            return ProblemResponses.Write(context, StatusCodes.Status400BadRequest, "Unknown host",
                $"this server does not answer to the host '{host.Host}'; add it to api.allowedHosts in the server's configuration if it should");
        }
        return next(context);
    }
}

/// <summary>Which Host header values the server answers (null: any).</summary>
internal sealed class HostPolicy(IReadOnlySet<string>? allowed)
{
    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]"];

    public IReadOnlySet<string>? Allowed => allowed;

    public bool Allows(string host) => allowed is null || allowed.Contains(host);

    public static HostPolicy For(IReadOnlyList<ListenAddress> addresses, IReadOnlyList<string> configured)
    {
        if (configured.Count > 0)
        {
            return new HostPolicy(configured.Select(h => h.ToLowerInvariant()).ToHashSet(StringComparer.OrdinalIgnoreCase));
        }
        if (addresses.Any(a => a.IsWildcard))
        {
            return new HostPolicy(null);
        }
        var names = addresses.SelectMany(a => a.IsLoopback ? [a.Host, .. LoopbackNames] : new[] { a.Host });
        return new HostPolicy(names.ToHashSet(StringComparer.OrdinalIgnoreCase));
    }
}
