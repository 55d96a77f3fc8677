using System.Net;
using Kairos.Access;
using Kairos.Client;
using Kairos.Configuration;
using Microsoft.AspNetCore.Http;

namespace Kairos.Server.Access;

/// <summary>
/// Who a request acts for, the one rule the API (<see cref="ApiKeyAuthentication"/>) and the
/// dashboard's sign-in share: a presented key's holder, or, while no key exists at all, a local
/// admin for a request from this machine, so a new install works without set-up.
/// </summary>
internal static class ApiKeyCallers
{
    /// <summary>The holder of an unexpired key, or null.</summary>
    public static async Task<KairosCaller?> FromKeyAsync(IKairosClient kairos, ApiSettings access, string token, CancellationToken cancellationToken) =>
        await kairos.AuthenticateAsync(token, cancellationToken) is { } key
            ? new KairosCaller(key.Name, key.Scope, access.AllowCommandJobs, key.Namespaces)
            : null;

    /// <summary>The local admin when no key exists and the request comes from loopback; otherwise null and why.</summary>
    public static async Task<(KairosCaller? Caller, string? Refusal)> WithoutKeyAsync(IKairosClient kairos, ApiSettings access, HttpContext context)
    {
        if ((await kairos.ListApiKeysAsync(context.RequestAborted)).Count > 0)
        {
            return (null, "this server requires an API key: send 'Authorization: Bearer KEY' (the CLI takes --api-key or KAIROS_API_KEY)");
        }
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote))
        {
            return (null, "no API key exists yet, so only requests from this machine are served; create one with `kairos keys create`");
        }
        return (new KairosCaller("local", KairosScope.Admin, access.AllowCommandJobs), null);
    }
}
