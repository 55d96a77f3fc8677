using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Client;

/// <summary>The overview's numbers: runs finished per minute by outcome over a window, the queue by queue, and running runs.</summary>
public sealed class RunActivityTests
{
    [Fact]
    public async Task Finished_runs_count_in_the_minute_they_finished_by_outcome_and_queued_runs_by_queue()
    {
        await using var t = await TestEngine.CreateAsync();
        await t.Client.SaveJobAsync(TestEngine.Job("report"));
        await t.Client.SaveJobAsync(TestEngine.Job("mail", change: j => j with { Queue = "mail" }));
        var now = t.Clock.GetUtcNow();
        await FinishedRuns.CreateAsync(t.Store, "report", RunState.Succeeded, now.AddMinutes(-90)); // Before the window.
        await FinishedRuns.CreateAsync(t.Store, "report", RunState.Succeeded, now.AddMinutes(-30));
        await FinishedRuns.CreateAsync(t.Store, "report", RunState.Dead, now.AddMinutes(-30).AddSeconds(20));
        await FinishedRuns.CreateAsync(t.Store, "report", RunState.Succeeded, now.AddMinutes(-2));
        await FinishedRuns.CreateAsync(t.Store, "report", RunState.Cancelled, now);
        await t.Client.RunNowAsync("mail");
        await t.Client.RunNowAsync("mail");
        await t.Client.RunNowAsync("report");

        var activity = await t.Client.GetRunActivityAsync(TimeSpan.FromHours(1));

        Assert.Equal(60, activity.Minutes.Count);
        Assert.Equal(now, activity.To);
        Assert.Equal(now.AddMinutes(-59), activity.From);
        var busy = activity.Minutes.Where(m => m.Total > 0).Select(m => (m.Start - activity.From, m.Succeeded, m.Dead, m.Cancelled));
        Assert.Equal([(TimeSpan.FromMinutes(29), 1, 1, 0), (TimeSpan.FromMinutes(57), 1, 0, 0), (TimeSpan.FromMinutes(59), 0, 0, 1)], busy);
        Assert.Equal(1.0 / 3, activity.FailureRate); // 1 dead of the 3 runs that succeeded or died in the window.
        Assert.Equal(new Dictionary<string, int> { ["default"] = 1, ["mail"] = 2 }, activity.QueuedByQueue);
        Assert.Equal(0, activity.Running);
        Assert.False(activity.Partial);
    }

    [Fact]
    public async Task A_client_in_a_namespace_counts_only_its_runs_and_a_window_out_of_bounds_is_refused()
    {
        await using var t = await TestEngine.CreateAsync();
        await t.Client.SaveJobAsync(TestEngine.Job("billing/report"));
        await t.Client.SaveJobAsync(TestEngine.Job("report"));
        await FinishedRuns.CreateAsync(t.Store, "billing/report", RunState.Succeeded, t.Clock.GetUtcNow());
        await FinishedRuns.CreateAsync(t.Store, "report", RunState.Dead, t.Clock.GetUtcNow().AddSeconds(1));

        var billing = await t.Client.In("billing").GetRunActivityAsync(TimeSpan.FromMinutes(5));

        Assert.Equal((1, 0), (billing.Succeeded, billing.Dead));
        var refused = await Assert.ThrowsAsync<KairosValidationException>(() => t.Client.GetRunActivityAsync(TimeSpan.FromDays(2)));
        Assert.Contains("1 minute to 1 day", refused.Message);
    }
}
