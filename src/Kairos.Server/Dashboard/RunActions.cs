using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Kairos.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>
/// Cancel or retry the runs ticked in a form (one from a run's page, many from the list). A run that
/// cannot be (finished, for a cancel; not finished, for a retry) is counted as refused, not an error.
/// </summary>
internal static class RunActions
{
    public const int MaxRuns = RunPages.PageSize;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/runs/cancel", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var form = await context.Request.ReadFormAsync(ct);
            var runs = RunPages.InNamespace(kairos, DashboardQuery.Field(form, "namespace", 100));
            var (done, refused) = (0, 0);
            foreach (var id in DashboardQuery.RunIds(form, MaxRuns))
            {
                if (await runs.CancelRunAsync(id, ct) is CancelResult.Cancelled or CancelResult.CancelRequested)
                {
                    done++;
                }
                else
                {
                    refused++;
                }
            }
            return DashboardResults.SeeOther(Back(form, $"cancelled={done}&refused={refused}"));
        }).ForScope(KairosScope.Run);

        app.MapPost("/runs/retry", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var form = await context.Request.ReadFormAsync(ct);
            var runs = RunPages.InNamespace(kairos, DashboardQuery.Field(form, "namespace", 100));
            var (done, refused) = (0, 0);
            foreach (var id in DashboardQuery.RunIds(form, MaxRuns))
            {
                try
                {
                    await runs.RetryRunAsync(id, ct);
                    done++;
                }
                catch (KairosConflictException)
                {
                    refused++;
                }
            }
            return DashboardResults.SeeOther(Back(form, $"retried={done}&refused={refused}"));
        }).ForScope(KairosScope.Run);
    }

    /// <summary>The page the form came from (a run's page or the list with its filters), with what was done.</summary>
    private static string Back(IFormCollection form, string notice)
    {
        var asked = DashboardQuery.Field(form, "back", LocalAddress.MaxLength);
        var back = LocalAddress.IsLocal(asked) && asked!.StartsWith("/runs", StringComparison.Ordinal) ? asked : "/runs";
        if (back.StartsWith("/runs/", StringComparison.Ordinal) && long.TryParse(back["/runs/".Length..], out _))
        {
            return back;
        }
        return back + (back.Contains('?') ? "&" : "?") + notice;
    }
}
