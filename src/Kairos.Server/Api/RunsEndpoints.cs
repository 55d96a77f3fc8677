using Kairos.Access;
using Kairos.Client;
using Kairos.Server.Access;
using Microsoft.Extensions.DependencyInjection;
using Kairos.Model;
using Kairos.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Kairos.Server.Api;

/// <summary>/api/runs: list, show (with journal), log, cancel, retry.</summary>
internal static class RunsEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var runs = api.MapGroup("/runs");

        runs.MapGet("/", async (string? job, string? state, string? source, string? since, string? from, string? to, int? limit, long? before, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            RunState? parsed = null;
            if (state is not null)
            {
                parsed = RunStates.TryParse(state, out var s)
                    ? s
                    : throw new KairosValidationException($"unknown state '{state}': use one of {string.Join(", ", Enum.GetValues<RunState>().Select(x => x.ToWire()))}");
            }
            var list = await kairos.ListRunsAsync(new RunQuery
            {
                JobName = job, State = parsed, Source = source, From = ApiInstant.From(from, since, kairos.Clock.GetUtcNow()), To = ApiInstant.Parse(to, "to"),
                Limit = ApiPaging.Limit(limit, 50, ApiPaging.MaxRecords), BeforeId = before,
            }, ct);
            return Results.Ok(list.Select(RunView.From));
        }).Requires(KairosScope.Read).Produces<List<RunView>>();

        runs.MapGet("/{id:long}", async (long id, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var run = await kairos.GetRunAsync(id, ct) ?? throw new KairosNotFoundException($"run {id} does not exist");
            var journal = await kairos.ListJournalAsync(new JournalQuery { RunId = id }, ct);
            var parent = run.ParentRunId is { } parentId ? await kairos.GetRunAsync(parentId, ct) : null;
            var children = await kairos.ListRunsAsync(new RunQuery { ParentRunId = id, Limit = 1000 }, ct);
            return Results.Ok(new RunDetailView(RunView.From(run), journal.Select(JournalView.From).ToList(),
                parent is null ? null : RunView.From(parent), children.Select(RunView.From).ToList()));
        }).Requires(KairosScope.Read).Produces<RunDetailView>();

        runs.MapGet("/{id:long}/log", async (long id, long? after, int? limit, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var (from, size) = (RunLogPage.After(after), ApiPaging.Limit(limit, RunLogPage.DefaultLimit, RunLogPage.MaxLimit));
            return Results.Ok(RunLogPage.From(await kairos.GetRunLogAsync(id, RunLogPage.Window(from, size), ct), from, size));
        }).Requires(KairosScope.Read).Produces<RunLogPage>();

        runs.MapGet("/{id:long}/journal", async (long id, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok((await kairos.GetRunJournalAsync(id, ct)).Select(JournalView.From))).Requires(KairosScope.Read).Produces<List<JournalView>>();

        runs.MapPost("/{id:long}/cancel", async (long id, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var result = await kairos.CancelRunAsync(id, ct);
            return result == CancelResult.AlreadyFinished
                ? throw new KairosConflictException($"run {id} has already finished; nothing to cancel")
                : Results.Ok(new CancelView(id, result == CancelResult.Cancelled ? "cancelled" : "cancel-requested"));
        }).Requires(KairosScope.Run).Produces<CancelView>().ProducesProblem(StatusCodes.Status409Conflict);

        runs.MapPost("/{id:long}/retry", async (long id, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            Results.Ok(RunView.From(await kairos.RetryRunAsync(id, ct)))).Requires(KairosScope.Run).Produces<RunView>().ProducesProblem(StatusCodes.Status409Conflict);
    }
}
