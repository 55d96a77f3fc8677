using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>Jobs read a page at a time: ordinal name order, after a name, at most a limit, within a namespace, filtered by name, pause, executor kind and the state of their newest run.</summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task Job_pages_follow_name_order_after_a_name_up_to_a_limit_within_a_namespace()
    {
        // Upper case before lower case and '-' before '.' in ordinal order, whatever the database's collation says.
        string[] names = ["B-job", "a.job", "a-job", "Zed", "billing/x", "billing/a", "billing2/a", "c"];
        foreach (var name in names)
        {
            await SaveAsync(name);
        }
        async Task<List<string>> PageAsync(string? after, int limit, string? ns = null) =>
            (await Store.ListJobsAsync(new JobQuery { After = after, Limit = limit, Namespace = ns }, CancellationToken.None)).Select(j => j.Definition.Name).ToList();

        Assert.Equal(names.Order(StringComparer.Ordinal), await PageAsync(null, 100));
        Assert.Equal(["B-job", "Zed", "a-job"], await PageAsync(null, 3));
        Assert.Equal(["a.job", "billing/a", "billing/x"], await PageAsync("a-job", 3));
        Assert.Equal(["billing/a", "billing/x"], await PageAsync(null, 10, "billing"));
        Assert.Equal(["billing/x"], await PageAsync("billing/a", 10, "billing"));
        Assert.Equal(["B-job", "Zed", "a-job", "a.job", "c"], await PageAsync(null, 10, Kairos.Access.Namespaces.Default));
        Assert.Empty(await PageAsync("c", 10));
    }

    [StoreFact]
    public async Task Job_pages_hold_only_jobs_whose_name_contains_the_text_that_match_the_pause_and_executor_kind_asked()
    {
        await SaveAsync("Nightly-Report");
        await SaveAsync("weekly-report", j => j with { Executor = new HttpExecutorSpec("GET", "http://127.0.0.1/report") });
        await SaveAsync("report-archive");
        await SaveAsync("cleanup");
        Assert.True(await Store.SetJobPausedAsync("report-archive", true, T0, CancellationToken.None));
        async Task<List<string>> PageAsync(JobQuery query) =>
            (await Store.ListJobsAsync(query, CancellationToken.None)).Select(j => j.Definition.Name).ToList();

        Assert.Equal(["Nightly-Report", "report-archive", "weekly-report"], await PageAsync(new JobQuery { NameContains = "REPORT" }));
        Assert.Equal(["report-archive", "weekly-report"], await PageAsync(new JobQuery { NameContains = "report", After = "Nightly-Report", Limit = 2 }));
        Assert.Equal(["report-archive"], await PageAsync(new JobQuery { Paused = true }));
        Assert.Equal(["Nightly-Report", "cleanup", "weekly-report"], await PageAsync(new JobQuery { Paused = false }));
        Assert.Equal(["weekly-report"], await PageAsync(new JobQuery { ExecutorKind = "http", NameContains = "rep" }));
        Assert.Empty(await PageAsync(new JobQuery { NameContains = "%" }));
    }

    [StoreFact]
    public async Task Job_pages_asked_for_a_last_run_state_hold_the_jobs_whose_newest_run_is_in_it()
    {
        await SaveAsync("nightly");
        await SaveAsync("cleanup");
        await SaveAsync("never-ran");
        await Store.CancelRunAsync((await EnqueueAsync("nightly")).RunId, T0, CancellationToken.None);
        await EnqueueAsync("nightly", T0.AddMinutes(1)); // Its newest run is queued, whatever the older one did.
        await Store.CancelRunAsync((await EnqueueAsync("cleanup")).RunId, T0, CancellationToken.None);
        async Task<List<string>> PageAsync(RunState state) =>
            (await Store.ListJobsAsync(new JobQuery { LastRunState = state }, CancellationToken.None)).Select(j => j.Definition.Name).ToList();

        Assert.Equal(["nightly"], await PageAsync(RunState.Queued));
        Assert.Equal(["cleanup"], await PageAsync(RunState.Cancelled));
        Assert.Empty(await PageAsync(RunState.Dead));
    }
}
