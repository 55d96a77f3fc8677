using Kairos.Access;
using Kairos.Client;
using Kairos.Observability;
using Kairos.Server.Access;
using Kairos.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Observability;

/// <summary>
/// <c>GET /metrics</c>: the engine's instruments in the Prometheus text format. It needs a key of
/// scope read (<see cref="ApiKeyAuthentication"/>) unless <c>api.publicMetrics</c> is set; a key bound
/// to namespaces is refused, because the numbers name the jobs and queues of every namespace.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static void Add(IServiceCollection services) =>
        services.AddSingleton(sp => new PrometheusCollector(sp.GetRequiredService<KairosMetrics>()));

    public static void Map(IEndpointRouteBuilder app)
    {
        // Listening from the start, before the engine runs anything: a collector made at the first scrape would miss what came before.
        _ = app.ServiceProvider.GetRequiredService<PrometheusCollector>();
        app.MapGet(Path, async (HttpContext http, KairosMetrics metrics, PrometheusCollector collector, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos) =>
        {
            if (kairos.Namespace is { } ns)
            {
                await ProblemResponses.Write(http, StatusCodes.Status403Forbidden, "Forbidden",
                    $"the metrics cover every namespace; this request works in namespace '{ns}': use a key that is not bound to namespaces");
                return;
            }
            if (metrics.Queues is { } queues)
            {
                await queues.RefreshAsync(); // Fresh within a few seconds, and one database read however many scrape.
            }
            using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            collector.Write(text);
            http.Response.ContentType = PrometheusText.ContentType;
            await http.Response.WriteAsync(text.ToString(), http.RequestAborted);
        })
        .Requires(KairosScope.Read)
        .Produces<string>(StatusCodes.Status200OK, "text/plain")
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden);
    }
}
