using Kairos.Access;
using System.Text.Json.Nodes;
using Kairos.Client;
using Kairos.Server.Access;
using Microsoft.Extensions.DependencyInjection;
using Kairos.Configuration;
using Kairos.Configuration.Schema;
using Kairos.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Api;

/// <summary>/api/jobs: list, show, create or replace (PUT, in the schema of the YAML file), run now, pause, resume, delete.</summary>
internal static class JobsEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var jobs = api.MapGroup("/jobs");

        // Pages in name order: ?limit= (default 100) jobs whose names come after ?after= (the last name of the previous page).
        jobs.MapGet("/", async (int? limit, string? after, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var size = ApiPaging.Limit(limit, 100, ApiPaging.MaxJobs);
            var page = await kairos.ListJobsAsync(new Kairos.Storage.JobQuery { After = after, Limit = size }, ct);
            // The page's triggers only: a page of jobs read one by one costs less than every trigger of a large installation.
            var views = new JsonArray();
            foreach (var job in page)
            {
                views.Add(DefinitionWriter.Job(job, await kairos.ListTriggersAsync(job.Definition.Name, ct)));
            }
            return Results.Ok(views);
        }).Requires(KairosScope.Read).Produces<List<JobDocument>>();

        jobs.MapGet("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) => Results.Ok(await ShowAsync(kairos, name, ct))).Requires(KairosScope.Read).Produces<JobDocument>();

        jobs.MapPost("/{name}/run", async (string name, HttpRequest request, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var payload = await ReadBodyAsync(request, ct);
            var idempotencyKey = request.Query["idempotencyKey"].FirstOrDefault();
            TimeSpan? wait = null;
            if (request.Query["wait"].FirstOrDefault() is { } waitText)
            {
                // Checked before enqueueing: a request answered 400 must not have started a run.
                wait = Durations.TryParse(waitText, out var parsed) && parsed <= TimeSpan.FromHours(1)
                    ? parsed
                    : throw new KairosValidationException($"wait '{waitText}' is not a duration up to 1h, e.g. wait=30s");
            }
            var result = Later.Parse(request.Query["at"].FirstOrDefault(), request.Query["in"].FirstOrDefault(), kairos.Clock.GetUtcNow()) is { } at
                ? await kairos.RunAtAsync(name, at, payload, idempotencyKey, ct)
                : await kairos.RunNowAsync(name, payload, idempotencyKey, ct);
            if (wait is { } waitFor)
            {
                var run = await kairos.WaitForRunAsync(result.RunId, waitFor, ct);
                if (run is not null && Model.RunStates.IsFinished(run.State))
                {
                    return Results.Ok(RunView.From(run));
                }
            }
            return Results.Accepted($"/api/runs/{result.RunId}", new EnqueuedView(result.RunId, result.Created, Model.RunStates.ToWire(result.State)));
        }).Requires(KairosScope.Run).ReadsBody<System.Text.Json.Nodes.JsonNode>().Produces<RunView>().Produces<EnqueuedView>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status409Conflict);

        jobs.MapPut("/{name}", async (string name, HttpRequest request, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            const string what = "the job definition";
            var body = await ApiJson.ReadAsync<JsonObject>(request, what, ct)
                ?? throw new KairosValidationException($"the body must be {what} as in the YAML file, e.g. {{\"handler\": \"echo\", \"triggers\": [{{\"cron\": \"0 9 * * *\"}}]}}");
            await kairos.SaveJobAsync(DefinitionReader.Job(name, body), ct);
            return Results.Ok(await ShowAsync(kairos, name, ct));
        }).Requires(KairosScope.Write).ReadsBody<JobDocument>().Produces<JobDocument>();

        jobs.MapDelete("/{name}", async (string name, bool? cancelRuns, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            await kairos.DeleteJobAsync(name, cancelRuns ?? false, ct);
            return Results.NoContent();
        }).Requires(KairosScope.Write).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status409Conflict);

        jobs.MapPost("/{name}/pause", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            await kairos.PauseJobAsync(name, ct);
            return Results.Ok(await ShowAsync(kairos, name, ct));
        }).Requires(KairosScope.Write).Produces<JobDocument>();

        jobs.MapPost("/{name}/resume", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            await kairos.ResumeJobAsync(name, ct);
            return Results.Ok(await ShowAsync(kairos, name, ct));
        }).Requires(KairosScope.Write).Produces<JobDocument>();
    }

    /// <summary>The job in the schema of the YAML file, with its read-only status.</summary>
    private static async Task<JsonObject> ShowAsync(IKairosClient kairos, string name, CancellationToken ct)
    {
        var job = await kairos.GetJobAsync(name, ct) ?? throw new KairosNotFoundException($"job '{name}' does not exist");
        return DefinitionWriter.Job(job, await kairos.ListTriggersAsync(name, ct));
    }

    /// <summary>The request body is the run's JSON payload; an empty body means no payload.</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(await ApiBodyLimit.ReadAsync(request, ct));
        var body = await reader.ReadToEndAsync(ct);
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        ApiJson.EnsureValid(body, "the request body (the run's payload)");
        return body;
    }
}
