using Kairos.Access;
using Kairos.Server.Access;
using Microsoft.AspNetCore.Builder;

namespace Kairos.Server.Dashboard;

/// <summary>
/// Endpoint metadata marking a dashboard endpoint, for <see cref="DashboardAccess"/>: which scope it
/// needs (<see cref="RequiredScope"/>, as the API declares it) or that it is open to anyone (sign-in, assets).
/// </summary>
internal sealed record DashboardPage(bool Open);

internal static class DashboardPageExtensions
{
    /// <summary>A page or action for callers holding <paramref name="scope"/>.</summary>
    public static TBuilder ForScope<TBuilder>(this TBuilder endpoint, KairosScope scope) where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(new DashboardPage(Open: false)).Requires(scope);

    /// <summary>A page anyone may see: the sign-in form, the stylesheet and script.</summary>
    public static TBuilder ForAnyone<TBuilder>(this TBuilder endpoint) where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(new DashboardPage(Open: true));
}
