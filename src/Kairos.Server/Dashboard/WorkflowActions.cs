using Kairos.Access;
using Kairos.Client;
using Kairos.Model;
using Kairos.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>
/// The buttons of a workflow run's page (<c>WorkflowSteps.razor</c>): retry from the failed step, skip a step with an output,
/// pause or resume, cancel (with or without compensation). Each goes back to the run's page; a state that does not allow
/// the operation is the "not possible now" page with the reason the client gives (<see cref="DashboardAccess"/>).
/// </summary>
internal static class WorkflowActions
{
    public static void Map(IEndpointRouteBuilder app)
    {
        MapOperation(app, "retry", (kairos, id, _, ct) => kairos.RetryWorkflowAsync(id, ct));
        MapOperation(app, "pause", (kairos, id, _, ct) => kairos.PauseWorkflowAsync(id, ct));
        MapOperation(app, "resume", (kairos, id, _, ct) => kairos.ResumeWorkflowAsync(id, ct));
        MapOperation(app, "cancel", (kairos, id, form, ct) => kairos.CancelWorkflowAsync(id, DashboardQuery.Field(form, "compensate") == "true", ct));
        MapOperation(app, "skip", (kairos, id, form, ct) => kairos.SkipWorkflowStepAsync(id,
            DashboardQuery.Field(form, "step", 200) ?? throw new KairosValidationException("step: say which step to skip"),
            DashboardQuery.Field(form, "output"), ct));
    }

    /// <summary>POST /runs/{id}/workflow/{verb} (scope run), a form with the antiforgery token; back to the run's page.</summary>
    private static void MapOperation(IEndpointRouteBuilder app, string verb, Func<IKairosClient, long, IFormCollection, CancellationToken, Task<WorkflowRunInfo>> operation) =>
        app.MapPost($"/runs/{{id:long}}/workflow/{verb}", async (long id, HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var form = await context.Request.ReadFormAsync(ct);
            await operation(kairos, id, form, ct);
            return DashboardResults.SeeOther($"/runs/{id}");
        }).ForScope(KairosScope.Run);
}
