using System.Text.Json;
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

/// <summary>
/// The jobs list (<c>/jobs</c>: search, filters, pages read from the database one at a time) and a
/// job's page (<c>/job?name=</c>: a query value, since a namespaced name holds a slash).
/// </summary>
internal static class JobPages
{
    public const int PageSize = 50;
    public const int RecentRuns = 20;
    private static readonly string[] Kinds = [ExecutorKinds.Handler, ExecutorKinds.Command, ExecutorKinds.Http, ExecutorKinds.Workflow];

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/jobs", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
        {
            var request = context.Request;
            var filter = new JobsFilter(DashboardQuery.Text(request, "q"), DashboardQuery.YesNo(request, "paused"), DashboardQuery.Choice(request, "kind", Kinds),
                DashboardQuery.State(request, "last"), DashboardQuery.Text(request, "after", 400));
            // One more than a page says whether a next page exists.
            var page = await kairos.ListJobsAsync(new JobQuery { NameContains = filter.Search, Paused = filter.Paused, ExecutorKind = filter.Kind, LastRunState = filter.LastRun, After = filter.After, Limit = PageSize + 1 }, ct);
            var rows = new List<JobRow>(Math.Min(page.Count, PageSize));
            foreach (var job in page.Take(PageSize))
            {
                rows.Add(await RowAsync(kairos, job, ct));
            }
            return DashboardResults.Page<JobsPage>(context, new JobsModel(filter, rows, page.Count > PageSize ? rows[^1].Job.Definition.Name : null, Kinds));
        }).ForScope(KairosScope.Read);

        app.MapGet("/job", async (HttpContext context, [FromKeyedServices(RequestCaller.Client)] IKairosClient kairos, CancellationToken ct) =>
            await ShowAsync(context, kairos, DashboardQuery.Text(context.Request, "name", 400), payload: "{}", payloadError: null, ct)).ForScope(KairosScope.Read);
    }

    /// <summary>The job's page; with <paramref name="payloadError"/>, shown again after a refused run-now with the payload as typed.</summary>
    public static async Task<IResult> ShowAsync(HttpContext context, IKairosClient kairos, string? name, string payload, string? payloadError, CancellationToken ct)
    {
        if (name is null || await kairos.GetJobAsync(name, ct) is not { } job)
        {
            return DashboardResults.NotFound(context, name is null ? "Which job? The address names none." : $"There is no job named '{name}'.");
        }
        var triggers = (await kairos.ListTriggersAsync(job.Definition.Name, ct)).Select(TriggerLine.Of).ToList();
        var fires = await kairos.GetNextFireTimesAsync(job.Definition.Name, 5, ct);
        var runs = await kairos.ListRunsAsync(new RunQuery { JobName = job.Definition.Name, Limit = RecentRuns }, ct);
        var definition = Kairos.Configuration.Schema.DefinitionWriter.Job(job.Definition).ToJsonString(Indented); // In the schema of the YAML file and the API.
        var status = payloadError is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        var workflow = job.Definition.Executor is WorkflowExecutorSpec spec ? WorkflowGraph.Of(spec) : null;
        return DashboardResults.Page<JobPage>(context, new JobModel(job, definition, triggers, fires, runs, payload, payloadError, workflow), status);
    }

    private static async Task<JobRow> RowAsync(IKairosClient kairos, StoredJob job, CancellationToken ct)
    {
        var triggers = (await kairos.ListTriggersAsync(job.Definition.Name, ct)).Select(TriggerLine.Of).ToList();
        var last = await kairos.ListRunsAsync(new RunQuery { JobName = job.Definition.Name, Limit = 1 }, ct);
        return new JobRow(job, triggers, last.FirstOrDefault());
    }

    private static readonly JsonSerializerOptions Indented = new(KairosJson.Options) { WriteIndented = true };
}

/// <summary>What the jobs list was asked for: a name search, paused or not, an executor kind, the state of the newest run, and the page after a name.</summary>
public sealed record JobsFilter(string? Search, bool? Paused, string? Kind, RunState? LastRun, string? After)
{
    /// <summary>The list's address with these filters, after <paramref name="after"/>.</summary>
    public string Link(string? after)
    {
        var query = new List<string>();
        void Add(string key, string? value)
        {
            if (value is not null)
            {
                query.Add(key + "=" + Uri.EscapeDataString(value));
            }
        }
        Add("q", Search);
        Add("paused", Paused switch { true => "yes", false => "no", null => null });
        Add("kind", Kind);
        Add("last", LastRun?.ToWire());
        Add("after", after);
        return "/jobs" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }
}

public sealed record JobsModel(JobsFilter Filter, IReadOnlyList<JobRow> Jobs, string? NextAfter, IReadOnlyList<string> Kinds);

/// <summary>A job in the list: its triggers in words with their next fires, and its latest run.</summary>
public sealed record JobRow(StoredJob Job, IReadOnlyList<TriggerLine> Triggers, RunRecord? LastRun);

public sealed record JobModel(StoredJob Job, string DefinitionJson, IReadOnlyList<TriggerLine> Triggers, JobFireTimes FireTimes, IReadOnlyList<RunRecord> RecentRuns,
    string Payload, string? PayloadError, WorkflowGraph? Workflow);
