using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Kairos.Server.Observability;

/// <summary>
/// <c>GET /readyz</c>: 200 <c>ready</c> when the database answers and the engine runs, else 503 with
/// one line saying why (the <c>"kairos"</c> health check). No key needed, as for <c>/healthz</c>
/// (alive: the process answers HTTP): a load balancer or orchestrator asks it, and it tells nothing
/// about the jobs. A check that takes longer than <see cref="Timeout"/> is not ready.
/// </summary>
internal static class ReadinessEndpoint
{
    public const string Path = "/readyz";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapHealthChecks(Path, new HealthCheckOptions
        {
            ResponseWriter = (http, report) =>
            {
                http.Response.ContentType = "text/plain; charset=utf-8";
                var failed = report.Entries.Values.FirstOrDefault(e => e.Status != HealthStatus.Healthy);
                var reason = failed.Description ?? failed.Exception?.Message ?? report.Status.ToString();
                // One line: the first line of whatever the database said.
                return http.Response.WriteAsync(report.Status == HealthStatus.Healthy ? "ready\n" : $"not ready: {reason.Split('\n')[0].TrimEnd()}\n");
            },
        });

    public static void Add(IServiceCollection services) =>
        services.Configure<HealthCheckServiceOptions>(o =>
        {
            foreach (var registration in o.Registrations)
            {
                registration.Timeout = Timeout;
            }
        });
}
