using Kairos.Access;
using Microsoft.AspNetCore.Builder;

namespace Kairos.Server.Access;

/// <summary>Endpoint metadata: the scope a key needs to call the endpoint (see <see cref="ApiKeyAuthentication"/>).</summary>
internal sealed record RequiredScope(KairosScope Scope);

internal static class RequiredScopeExtensions
{
    /// <summary>Declares the endpoint's scope; an /api endpoint without one answers only admin keys.</summary>
    public static TBuilder Requires<TBuilder>(this TBuilder endpoint, KairosScope scope) where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(new RequiredScope(scope));
}
