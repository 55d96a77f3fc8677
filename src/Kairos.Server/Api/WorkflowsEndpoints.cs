using System.Text.Json.Nodes;
using Kairos.Access;
using Kairos.Client;
using Kairos.Model;
using Kairos.Server.Access;
using Kairos.Workflows;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Api;

/// <summary>
/// <c>GET /api/runs/{id}/workflow</c>: a workflow's run with each step's state; <c>GET /api/jobs/{name}/workflow?format=text|mermaid|dot</c>:
/// a workflow job's graph for people and drawing tools; <c>POST /api/runs/{id}/workflow/steps/{step}/send</c> <c>{"data": …}</c>:
/// an event's data delivered by hand to a step that waits for one.
/// </summary>
internal static class WorkflowsEndpoints
{
    /// <summary>The body of POST /api/runs/{id}/workflow/steps/{step}/send.</summary>
    public sealed record SendBody(JsonNode? Data = null);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/runs/{id:long}/workflow/steps/{step}/send", async (long id, string step, HttpRequest request,
            [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadAsync<SendBody>(request, "the data to send", ct);
            return Results.Ok(await kairos.SendToWorkflowStepAsync(id, step, body?.Data?.ToJsonString(), ct));
        }).Requires(KairosScope.Run).ReadsBody<SendBody>().Produces<WorkflowRunInfo>();

        api.MapGet("/runs/{id:long}/workflow", async (long id, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(await kairos.GetWorkflowRunAsync(id, ct))).Requires(KairosScope.Read);

        api.MapGet("/jobs/{name}/workflow", async (string name, string? format, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var job = await kairos.GetJobAsync(name, ct) ?? throw new KairosNotFoundException($"job '{name}' does not exist");
            if (job.Definition.Executor is not WorkflowExecutorSpec workflow)
            {
                throw new KairosNotFoundException($"job '{name}' is not a workflow");
            }
            var text = format switch
            {
                null or "text" => WorkflowDiagram.Text(workflow),
                "mermaid" => WorkflowDiagram.Mermaid(workflow),
                "dot" => WorkflowDiagram.Dot(workflow),
                _ => throw new KairosValidationException($"format: {Model.InputText.Quote(format)} is not one of text, mermaid, dot"),
            };
            return Results.Text(text, "text/plain; charset=utf-8");
        }).Requires(KairosScope.Read);
    }
}
