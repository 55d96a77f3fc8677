using Kairos.Access;
using Kairos.Client;
using Kairos.Model;
using Kairos.Server.Access;
using Kairos.Server.Dashboard.Pages;
using Kairos.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Server.Dashboard;

/// <summary>The runs list (<c>/runs</c>: by job, state, source and creation time, newest first, paged by id) and a run's page (<c>/runs/{id}</c>).</summary>
internal static class RunPages
{
    public const int PageSize = 50;
    private const int MaxChildren = 100;
    private const int MaxStepRuns = 2000;

    /// <summary>
    /// The most of a run's log a page holds, shown or streamed: a handler may log without end, and a page that
    /// loaded it all would stall the server and the browser. The API's <c>/api/runs/ID/log</c> has the rest.
    /// </summary>
    public const int MaxLogLines = 1000;
    public const int MaxLogLineChars = 2000;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/runs", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var request = context.Request;
            var filter = new RunsFilter(DashboardQuery.Text(request, "job", 400), DashboardQuery.State(request, "state"), DashboardQuery.Id(request, "before"))
            {
                Namespace = DashboardQuery.Text(request, "namespace", 100),
                Source = DashboardQuery.Choice(request, "source", TriggerSources.All),
                From = DashboardQuery.Instant(request, "from"),
                To = DashboardQuery.Instant(request, "to"),
            };
            var notice = Notice(request);
            var page = await InNamespace(kairos, filter.Namespace).ListRunsAsync(new RunQuery
            {
                JobName = filter.Job, State = filter.State, Source = filter.Source, From = filter.From, To = filter.To, BeforeId = filter.Before, Limit = PageSize + 1,
            }, ct);
            var runs = page.Take(PageSize).ToList();
            return DashboardResults.Page<RunsPage>(context, new RunsModel(filter, runs, page.Count > PageSize ? runs[^1].Id : null, notice));
        }).ForScope(KairosScope.Read);

        app.MapGet("/runs/{id}", async (string id, HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            if (!long.TryParse(id, out var runId) || await kairos.GetRunAsync(runId, ct) is not { } run)
            {
                return DashboardResults.NotFound(context, $"There is no run {id}.");
            }
            var journal = await kairos.GetRunJournalAsync(runId, ct);
            var log = await kairos.GetRunLogAsync(runId, new RunLogQuery { Limit = MaxLogLines + 1, MaxLineChars = MaxLogLineChars }, ct);
            var workflow = run.ExecutorKind == ExecutorKinds.Workflow;
            // A workflow's steps are its children: all of them, for its steps table.
            var children = await kairos.ListRunsAsync(new RunQuery { ParentRunId = runId, Limit = workflow ? MaxStepRuns : MaxChildren }, ct);
            var steps = workflow ? await WorkflowRunView.LoadAsync(kairos, run, children, ct) : null;
            return DashboardResults.Page<RunPage>(context, new RunModel(run, journal, log.Take(MaxLogLines).ToList(), log.Count > MaxLogLines, children, steps));
        }).ForScope(KairosScope.Read);
    }

    /// <summary>The client in <paramref name="ns"/> when one is asked (refused, as the API refuses it, when not the caller's); else as bound.</summary>
    public static IKairosClient InNamespace(IKairosClient kairos, string? ns) => ns is null ? kairos : kairos.In(ns);

    /// <summary>What a bulk action did, as the redirect after it says (<c>?cancelled=3&amp;refused=1</c>); counts only, never text from the address.</summary>
    private static string? Notice(HttpRequest request)
    {
        int Count(string name) => int.TryParse(request.Query[name].FirstOrDefault(), out var n) && n is >= 0 and <= 10_000 ? n : 0;
        var (cancelled, retried, refused) = (Count("cancelled"), Count("retried"), Count("refused"));
        var parts = new List<string>();
        if (request.Query.ContainsKey("cancelled"))
        {
            parts.Add($"Cancelled {Runs(cancelled)}.");
        }
        if (request.Query.ContainsKey("retried"))
        {
            parts.Add($"Queued {Runs(retried)} again.");
        }
        if (refused > 0)
        {
            parts.Add($"{Runs(refused)} could not be: already finished, or not finished yet for a retry.");
        }
        return parts.Count > 0 ? string.Join(" ", parts) : null;
    }

    private static string Runs(int n) => n == 1 ? "1 run" : $"{n} runs";
}

/// <summary>
/// What the runs list was asked for: a job, a state, a source, a range of creation times, the page before a run id,
/// and a namespace (null: the session's). Its <see cref="Link"/> is where a bulk action returns, so the list keeps its filter.
/// </summary>
public sealed record RunsFilter(string? Job, RunState? State, long? Before)
{
    public string? Namespace { get; init; }
    public string? Source { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }

    /// <summary>An instant as the filter's fields show it and its links carry it (UTC, to the second).</summary>
    public static string? Instant(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public string Link(long? before)
    {
        var query = new List<string>();
        if (Namespace is not null)
        {
            query.Add("namespace=" + Uri.EscapeDataString(Namespace));
        }
        if (Job is not null)
        {
            query.Add("job=" + Uri.EscapeDataString(Job));
        }
        if (State is { } state)
        {
            query.Add("state=" + state.ToWire());
        }
        if (Source is not null)
        {
            query.Add("source=" + Source);
        }
        if (From is not null)
        {
            query.Add("from=" + Uri.EscapeDataString(Instant(From)!));
        }
        if (To is not null)
        {
            query.Add("to=" + Uri.EscapeDataString(Instant(To)!));
        }
        if (before is { } id)
        {
            query.Add("before=" + id);
        }
        return "/runs" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }
}

public sealed record RunsModel(RunsFilter Filter, IReadOnlyList<RunRecord> Runs, long? NextBefore, string? Notice);

/// <summary>A run's page: the run, its journal (the timeline), its log's first lines (and whether it goes on), the runs it started and, for a workflow's run, its steps.</summary>
public sealed record RunModel(RunRecord Run, IReadOnlyList<JournalEntry> Journal, IReadOnlyList<RunLogLine> Log, bool LogGoesOn, IReadOnlyList<RunRecord> Children, WorkflowRunView? Workflow);
