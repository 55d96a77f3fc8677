using Kairos.Access;
using Kairos.Client;
using Kairos.Engine.Cluster;
using Kairos.Model;
using Kairos.Server.Access;
using Kairos.Server.Dashboard.Pages;
using Kairos.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>The overview (<c>/</c>) and the service page (<c>/service</c>).</summary>
internal static class OverviewEndpoints
{
    private const int Listed = 10;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var activity = await kairos.GetRunActivityAsync(TimeSpan.FromHours(1), ct);
            var running = await kairos.ListRunsAsync(new RunQuery { State = RunState.Running, Limit = Listed }, ct);
            var failures = await kairos.ListRunsAsync(new RunQuery { State = RunState.Dead, Limit = Listed }, ct);
            var scheduled = (await kairos.ListTriggersAsync(null, ct)).Where(t => t.NextFireAt is not null).OrderBy(t => t.NextFireAt).ToList();
            var next = scheduled.Take(Listed).Select(TriggerLine.Of).ToList();
            return DashboardResults.Page<OverviewPage>(context, new OverviewModel(activity, running, next, failures, SchedulerLag(scheduled, kairos.Clock.GetUtcNow())));
        }).ForScope(KairosScope.Read);

        app.MapGet("/service", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var nodes = await kairos.ListNodesAsync(ct);
            var version = typeof(OverviewEndpoints).Assembly.GetName().Version?.ToString(3) ?? "unknown";
            return DashboardResults.Page<ServicePage>(context, new ServiceModel(nodes, kairos.ThisNode, version, await kairos.GetStatsAsync(ct)));
        }).ForScope(KairosScope.Read);
    }

    /// <summary>
    /// How far behind the scheduler is: the scheduler moves a trigger's next fire time on as it fires it, so a
    /// next fire time already past is a fire not made yet; the oldest says by how much (zero when none is past).
    /// </summary>
    private static TimeSpan SchedulerLag(IReadOnlyList<TriggerState> scheduledInOrder, DateTimeOffset now) =>
        scheduledInOrder.Count > 0 && scheduledInOrder[0].NextFireAt < now ? now - scheduledInOrder[0].NextFireAt!.Value : TimeSpan.Zero;
}

/// <summary>The overview: the last hour's runs, the queue, what runs now, what fires next, what failed lately and how late the scheduler is.</summary>
public sealed record OverviewModel(RunActivity Activity, IReadOnlyList<RunRecord> Running, IReadOnlyList<TriggerLine> NextFires, IReadOnlyList<RunRecord> RecentFailures,
    TimeSpan SchedulerLag);

/// <summary>The service: the nodes sharing the database, this node, the version and the store's counts.</summary>
public sealed record ServiceModel(IReadOnlyList<ClusterNode> Nodes, NodeStatus ThisNode, string Version, StoreStats Stats);

/// <summary>One trigger of a job as a person reads it: its kind, its schedule in words, and when it fires next.</summary>
public sealed record TriggerLine(string JobName, string Kind, string Description, DateTimeOffset? NextFireAt)
{
    public static TriggerLine Of(TriggerState trigger) =>
        new(trigger.JobName, trigger.Spec.Source, Engine.Scheduling.TriggerDescription.Of(trigger.Spec), trigger.NextFireAt);
}
