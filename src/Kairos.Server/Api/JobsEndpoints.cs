using Kairos.Access;
using System.Text.Json.Nodes;
using Kairos.Client;
using Kairos.Server.Access;
using Microsoft.Extensions.DependencyInjection;
using Kairos.Configuration;
using Kairos.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Api;

/// <summary>/api/jobs: list, show, run now, pause, resume.</summary>
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
            var views = new List<JobView>(page.Count);
            foreach (var job in page)
            {
                views.Add(JobView.From(job, await kairos.ListTriggersAsync(job.Definition.Name, ct)));
            }
            return Results.Ok(views);
        }).Requires(KairosScope.Read).Produces<List<JobView>>();

        jobs.MapGet("/{name}", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) => Results.Ok(await ShowAsync(kairos, name, ct))).Requires(KairosScope.Read).Produces<JobView>();

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
        }).Requires(KairosScope.Run).ReadsBody<System.Text.Json.Nodes.JsonNode>().Produces<RunView>().Produces<EnqueuedView>(StatusCodes.Status202Accepted);

        jobs.MapPut("/{name}", async (string name, HttpRequest request, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var job = await ReadDefinitionAsync(name, request, ct);
            await kairos.SaveJobAsync(job, ct);
            return Results.Ok(await ShowAsync(kairos, name, ct));
        }).Requires(KairosScope.Write).ReadsBody<Model.JobDefinition>().Produces<JobView>();

        jobs.MapDelete("/{name}", async (string name, bool? cancelRuns, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            await kairos.DeleteJobAsync(name, cancelRuns ?? false, ct);
            return Results.NoContent();
        }).Requires(KairosScope.Write).Produces(StatusCodes.Status204NoContent);

        jobs.MapPost("/{name}/pause", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            await kairos.PauseJobAsync(name, ct);
            return Results.Ok(await ShowAsync(kairos, name, ct));
        }).Requires(KairosScope.Write).Produces<JobView>();

        jobs.MapPost("/{name}/resume", async (string name, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            await kairos.ResumeJobAsync(name, ct);
            return Results.Ok(await ShowAsync(kairos, name, ct));
        }).Requires(KairosScope.Write).Produces<JobView>();
    }

    private static async Task<JobView> ShowAsync([FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, string name, CancellationToken ct)
    {
        var job = await kairos.GetJobAsync(name, ct) ?? throw new KairosNotFoundException($"job '{name}' does not exist");
        return JobView.From(job, await kairos.ListTriggersAsync(name, ct));
    }

    /// <summary>A job definition in the stored JSON shape (see docs/api.md); the name comes from the URL.</summary>
    private static async Task<Model.JobDefinition> ReadDefinitionAsync(string name, HttpRequest request, CancellationToken ct)
    {
        const string what = "the job definition";
        var body = await ApiJson.ReadAsync<JsonObject>(request, what, ct)
            ?? throw new KairosValidationException($"the body must be {what}, e.g. {{\"executor\": {{\"kind\": \"handler\", \"handler\": \"echo\"}}}}");
        body["name"] = name;
        if (body["executor"] is JsonObject executor && executor["kind"] is JsonValue kind && kind.TryGetValue<string>(out var k) && k == Model.ExecutorKinds.Http
            && !executor.ContainsKey("method"))
        {
            executor["method"] = "GET"; // As in YAML: an http executor without a method sends GET.
        }
        foreach (var notification in (body["notify"] as JsonArray ?? []).OfType<JsonObject>().Select(n => n["http"]).OfType<JsonObject>().Where(h => !h.ContainsKey("method")))
        {
            notification["method"] = "POST"; // As in YAML: a notification's request without a method is a POST.
        }
        return ApiJson.Convert<Model.JobDefinition>(body, what);
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
