using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Executors;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Hosting;

/// <summary><c>AddKairos()</c> and its builder register a working engine, with jobs declared fluently.</summary>
public sealed class KairosBuilderTests
{
    /// <summary>Records each run it executes.</summary>
    private sealed class ReportHandler : IJobHandler
    {
        public Task<JsonNode?> ExecuteAsync(JobContext context) => Task.FromResult<JsonNode?>(new JsonObject { ["source"] = context.Source });
    }

    [Fact]
    public async Task AddJob_with_a_cron_trigger_saves_its_policies_and_fires_its_handler_on_time()
    {
        await using var t = KairosTestHost.Build(k => k.AddJob<ReportHandler>("report", j => j
            .Cron("0 9 * * MON-FRI", "Europe/Paris")
            .Retry(5)
            .Timeout(TimeSpan.FromMinutes(10))
            .Priority(8)
            .Queue("reports")
            .MaxInstances(1, OverlapPolicy.Skip)));
        await t.StartAsync();

        var job = (await t.Client.GetJobAsync("report"))!.Definition;
        Assert.Equal(
            (5, TimeSpan.FromMinutes(10), 8, "reports", new ConcurrencyPolicy(1, OverlapPolicy.Skip)),
            (job.Retry.MaxAttempts, job.Timeout, job.Priority, job.Queue, job.Concurrency));
        Assert.Equal(new CronTriggerSpec("0 9 * * MON-FRI", "Europe/Paris"), Assert.Single(job.Triggers));
        Assert.Equal(new HandlerExecutorSpec("report"), job.Executor);

        // Monday 2 March 2026, 09:00 in Paris is 08:00 UTC.
        var nine = new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
        // The scheduler's own sleep (it may wake a little early), not any timer: other loops have timers due sooner.
        await Eventually.TrueAsync(
            () => t.Engine.Scheduler.SleepingUntil is { } until && until > nine.AddMinutes(-1) && until <= nine,
            "the scheduler to sleep until 09:00 in Paris");
        t.Clock.SetUtcNow(nine);
        await Eventually.TrueAsync(async () => (await t.Client.ListRunsAsync(new RunQuery { JobName = "report", State = RunState.Succeeded })).Count == 1, "the 09:00 run to succeed");
        var run = Assert.Single(await t.Client.ListRunsAsync(new RunQuery { JobName = "report" }));
        Assert.Equal("""{"source":"cron"}""", run.Output);
    }

    [Fact]
    public async Task A_job_on_an_event_pattern_runs_for_each_matching_event()
    {
        await using var t = KairosTestHost.Build(k => k
            .AddHandler("ship", context => Task.FromResult<JsonNode?>(JsonNode.Parse(context.Payload.GetRawText())))
            .AddJob("ship-order", new HandlerExecutorSpec("ship"), j => j.OnEvent("order.*", """{"data.amount":{"$gt":100}}""")));
        await t.StartAsync();

        var small = await t.Client.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"amount":5}""" });
        var large = await t.Client.PublishAsync(new EventRequest("order.created", "shop") { Data = """{"amount":250}""" });

        Assert.Empty(small.Runs);
        var runId = Assert.Single(large.Runs).RunId;
        await Eventually.TrueAsync(async () => (await t.Client.GetRunAsync(runId))!.State == RunState.Succeeded, "the run for the large order to succeed");
        Assert.Equal("ship-order.on.order._", Assert.Single(await t.Client.ListSubscriptionsAsync()).Name);
    }
}
