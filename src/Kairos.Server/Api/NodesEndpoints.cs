using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Api;

/// <summary><c>GET /api/nodes</c>: the nodes sharing the database, which one leads, which are alive.</summary>
internal static class NodesEndpoints
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/nodes", async ([FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) => Results.Ok(await kairos.ListNodesAsync(ct))).Requires(KairosScope.Read).Produces<List<Kairos.Engine.Cluster.ClusterNode>>();
}
