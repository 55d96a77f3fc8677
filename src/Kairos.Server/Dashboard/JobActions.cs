using System.Text.Json;
using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Kairos.Server.Dashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>What a person does to a job: run it now with a payload, pause, resume, delete (after a confirmation page).</summary>
internal static class JobActions
{
    /// <summary>The largest payload the editor sends: far above any context a job needs, far below what would strain a form.</summary>
    public const int MaxPayloadChars = 256 * 1024;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/job/run", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var form = await context.Request.ReadFormAsync(ct);
            var name = Name(form);
            var payload = DashboardQuery.Field(form, "payload", MaxPayloadChars)?.Trim() ?? "";
            if (JsonError(payload) is { } error)
            {
                return await JobPages.ShowAsync(context, kairos, name, payload, error, ct);
            }
            var run = await kairos.RunNowAsync(name, payload.Length == 0 ? null : payload, cancellationToken: ct);
            return DashboardResults.SeeOther($"/runs/{run.RunId}");
        }).ForScope(KairosScope.Run);

        app.MapPost("/job/pause", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var name = Name(await context.Request.ReadFormAsync(ct));
            await kairos.PauseJobAsync(name, ct);
            return DashboardResults.SeeOther(JobLink(name));
        }).ForScope(KairosScope.Write);

        app.MapPost("/job/resume", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var name = Name(await context.Request.ReadFormAsync(ct));
            await kairos.ResumeJobAsync(name, ct);
            return DashboardResults.SeeOther(JobLink(name));
        }).ForScope(KairosScope.Write);

        // Deleting asks first, on a page of its own: it works without script and by keyboard.
        app.MapGet("/job/delete", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var name = DashboardQuery.Text(context.Request, "name", 400);
            return name is not null && await kairos.GetJobAsync(name, ct) is { } job
                ? DashboardResults.Page<DeleteJobPage>(context, job)
                : DashboardResults.NotFound(context, $"There is no job named '{name}'.");
        }).ForScope(KairosScope.Write);

        app.MapPost("/job/delete", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var form = await context.Request.ReadFormAsync(ct);
            await kairos.DeleteJobAsync(Name(form), cancelRuns: form["cancelRuns"] == "yes", ct);
            return DashboardResults.SeeOther("/jobs");
        }).ForScope(KairosScope.Write);
    }

    public static string JobLink(string name) => "/job?name=" + Uri.EscapeDataString(name);

    private static string Name(IFormCollection form) =>
        DashboardQuery.Field(form, "name", 400) ?? throw new KairosValidationException("the form names no job");

    /// <summary>Why <paramref name="payload"/> is not one JSON value, with where; null when it is (or is empty: no payload).</summary>
    public static string? JsonError(string payload)
    {
        if (payload.Length == 0)
        {
            return null;
        }
        try
        {
            using var _ = JsonDocument.Parse(payload);
            return null;
        }
        catch (JsonException ex)
        {
            return $"The payload is not valid JSON: line {ex.LineNumber + 1}, position {ex.BytePositionInLine + 1}. Fix it, or leave the box empty for no payload.";
        }
    }
}
