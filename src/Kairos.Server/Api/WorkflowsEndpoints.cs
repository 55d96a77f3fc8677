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
/// an event's data delivered by hand to a step that waits for one. Operations on a workflow run, each answering with the run as it
/// then is, 409 when its state does not allow them: <c>POST /api/runs/{id}/workflow/retry</c>, <c>…/pause</c>, <c>…/resume</c>,
/// <c>…/cancel</c> <c>{"compensate": true}</c>, <c>…/steps/{step}/skip</c> <c>{"output": …}</c>, <c>…/migrate</c> <c>{"toVersion": 2}</c>;
/// <c>GET /api/jobs/{name}/workflow?version=N</c> draws an earlier version.
/// </summary>
internal static class WorkflowsEndpoints
{
    /// <summary>The body of POST /api/runs/{id}/workflow/steps/{step}/send.</summary>
    public sealed record SendBody(JsonNode? Data = null);

    /// <summary>The body of POST /api/runs/{id}/workflow/steps/{step}/skip: the output the step ends with.</summary>
    public sealed record SkipBody(JsonNode? Output = null);

    /// <summary>The body of POST /api/runs/{id}/workflow/cancel: whether the succeeded steps are compensated first.</summary>
    public sealed record CancelBody(bool Compensate = false);

    /// <summary>The body of POST /api/runs/{id}/workflow/migrate: the version of its job's definition the run goes on with.</summary>
    public sealed record MigrateBody(int? ToVersion = null);

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/runs/{id:long}/workflow/steps/{step}/send", async (long id, string step, HttpRequest request,
            [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadAsync<SendBody>(request, "the data to send", ct);
            return Results.Ok(await kairos.SendToWorkflowStepAsync(id, step, body?.Data?.ToJsonString(), ct));
        }).Requires(KairosScope.Run).ReadsBody<SendBody>().Produces<WorkflowRunInfo>();

        api.MapPost("/runs/{id:long}/workflow/steps/{step}/skip", async (long id, string step, HttpRequest request,
            [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var body = await OptionalBodyAsync<SkipBody>(request, "the step's output", ct);
            return Results.Ok(await kairos.SkipWorkflowStepAsync(id, step, body?.Output?.ToJsonString(), ct));
        }).Requires(KairosScope.Run).ReadsBody<SkipBody>().Produces<WorkflowRunInfo>();

        api.MapPost("/runs/{id:long}/workflow/cancel", async (long id, HttpRequest request,
            [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var body = await OptionalBodyAsync<CancelBody>(request, "the cancel's options", ct);
            return Results.Ok(await kairos.CancelWorkflowAsync(id, body?.Compensate ?? false, ct));
        }).Requires(KairosScope.Run).ReadsBody<CancelBody>().Produces<WorkflowRunInfo>();

        MapOperation(api, "retry", (kairos, id, ct) => kairos.RetryWorkflowAsync(id, ct));
        MapOperation(api, "pause", (kairos, id, ct) => kairos.PauseWorkflowAsync(id, ct));
        MapOperation(api, "resume", (kairos, id, ct) => kairos.ResumeWorkflowAsync(id, ct));

        api.MapGet("/runs/{id:long}/workflow", async (long id, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(await kairos.GetWorkflowRunAsync(id, ct))).Requires(KairosScope.Read).Produces<WorkflowRunInfo>();

        api.MapPost("/runs/{id:long}/workflow/migrate", async (long id, HttpRequest request,
            [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var body = await ApiJson.ReadAsync<MigrateBody>(request, "the migration", ct);
            var version = body?.ToVersion is { } to and > 0 ? to : throw new KairosValidationException("toVersion: say the version to move the run to (a number from 1)");
            return Results.Ok(await kairos.MigrateWorkflowAsync(id, version, ct));
        }).Requires(KairosScope.Write).ReadsBody<MigrateBody>().Produces<WorkflowRunInfo>();

        api.MapGet("/jobs/{name}/workflow", async (string name, string? format, string? version, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos,
            CancellationToken ct) =>
        {
            WorkflowExecutorSpec workflow;
            if (version is not null)
            {
                workflow = int.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0
                    ? (await kairos.GetWorkflowVersionAsync(name, number, ct)).Definition
                    : throw new KairosValidationException($"version: {Model.InputText.Quote(version)} is not a version number (1, 2, …)");
            }
            else
            {
                var job = await kairos.GetJobAsync(name, ct) ?? throw new KairosNotFoundException($"job '{name}' does not exist");
                workflow = job.Definition.Executor as WorkflowExecutorSpec ?? throw new KairosNotFoundException($"job '{name}' is not a workflow");
            }
            var text = format switch
            {
                null or "text" => WorkflowDiagram.Text(workflow),
                "mermaid" => WorkflowDiagram.Mermaid(workflow),
                "dot" => WorkflowDiagram.Dot(workflow),
                _ => throw new KairosValidationException($"format: {Model.InputText.Quote(format)} is not one of text, mermaid, dot"),
            };
            return Results.Text(text, "text/plain; charset=utf-8");
        }).Requires(KairosScope.Read).Produces<string>(StatusCodes.Status200OK, "text/plain");
    }

    /// <summary>The body of an operation whose options all have defaults: none at all (no length, no type) is the defaults.</summary>
    private static Task<T?> OptionalBodyAsync<T>(HttpRequest request, string what, CancellationToken ct) where T : class =>
        request.ContentLength == 0 || (request.ContentLength is null && request.ContentType is null)
            ? Task.FromResult<T?>(null)
            : ApiJson.ReadAsync<T>(request, what, ct);

    /// <summary>POST /api/runs/{id}/workflow/{name}, with no body: an operation on a workflow run.</summary>
    private static void MapOperation(RouteGroupBuilder api, string name, Func<IKairosClient, long, CancellationToken, Task<WorkflowRunInfo>> operation) =>
        api.MapPost($"/runs/{{id:long}}/workflow/{name}", async (long id, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(await operation(kairos, id, ct))).Requires(KairosScope.Run).Produces<WorkflowRunInfo>();
}
