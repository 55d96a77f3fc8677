using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Api;

/// <summary>
/// <c>GET /api/namespaces</c>: the namespaces the key may see (a key of every namespace: all of them;
/// a key bound to namespaces: its own), each with its jobs and runs by state.
/// </summary>
internal static class NamespacesEndpoints
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/namespaces", async ([FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok((await kairos.ListNamespacesAsync(ct)).Select(n => new NamespaceView(n.Name, n.Jobs, n.RunsByState)).ToList()))
            .Requires(KairosScope.Read).Produces<List<NamespaceView>>();

    /// <param name="Runs">Runs by state, e.g. <c>{"queued": 3, "succeeded": 120}</c>.</param>
    public sealed record NamespaceView(string Name, long Jobs, IReadOnlyDictionary<string, long> Runs);
}
