using Kairos.Access;
using Kairos.Client;
using Kairos.Events;
using Kairos.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>
/// Cancel a pending event (and its queued runs) or retry a failed one (its dead runs), from the
/// queue or the event's page; both land on the event's page saying what was done. An event that
/// cannot be (no longer pending, say) gets the engine's reason on a 409 page. Replay sends the event,
/// and only it, to one subscription again, whatever its status (<see cref="IKairosClient.ReplayEventAsync"/>).
/// </summary>
internal static class EventActions
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/events/cancel", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var id = DashboardQuery.FormId(await context.Request.ReadFormAsync(ct), "event");
            var cancelled = await kairos.CancelEventAsync(id, ct);
            return DashboardResults.SeeOther($"/events/{id}?cancelled={cancelled}");
        }).ForScope(KairosScope.Run);

        app.MapPost("/events/retry", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var id = DashboardQuery.FormId(await context.Request.ReadFormAsync(ct), "event");
            var retried = await kairos.RetryEventAsync(id, ct);
            return DashboardResults.SeeOther($"/events/{id}?retried={retried.Count}");
        }).ForScope(KairosScope.Run);

        app.MapPost("/events/replay", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var form = await context.Request.ReadFormAsync(ct);
            var id = DashboardQuery.FormId(form, "event");
            var subscription = DashboardQuery.Field(form, "subscription", 400) ?? throw new KairosValidationException("choose the subscription to send the event to");
            var runs = await kairos.ReplayEventAsync(id, subscription, ct);
            return DashboardResults.SeeOther($"/events/{id}?replayed={runs.Count}");
        }).ForScope(KairosScope.Run);
    }
}
