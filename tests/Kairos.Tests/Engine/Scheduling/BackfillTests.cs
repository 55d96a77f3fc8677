using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine.Scheduling;

/// <summary>Backfilling past scheduled times through the client, on a real SQLite file and a manual clock.</summary>
public sealed class BackfillTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static JobDefinition Job(string name, params TriggerSpec[] triggers) =>
        TestEngine.Job(name, change: j => j with { Triggers = triggers });

    private static async Task<List<RunRecord>> RunsAsync(TestEngine t, string job) =>
        (await t.Store.ListRunsAsync(new RunQuery { JobName = job, Limit = 10_000 }, CancellationToken.None)).OrderBy(r => r.Id).ToList();

    private static string ScheduledAt(RunRecord run) => JsonNode.Parse(run.Payload!)!["scheduledAt"]!.GetValue<string>();

    [Fact]
    public async Task Each_scheduled_time_of_the_range_gets_one_run_with_the_schedulers_payload_and_a_second_backfill_adds_none()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(Job("report", new CronTriggerSpec("0 9 * * MON-FRI", "Europe/Paris") { Payload = """{"region":"eu"}""" }));
        var request = new BackfillRequest("report", new DateTimeOffset(2026, 3, 5, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero));

        var first = await t.Client.BackfillAsync(request);
        var again = await t.Client.BackfillAsync(request);

        // Thursday 5, Friday 6, Monday 9 March at 09:00 in Paris (08:00 UTC); the weekend has none.
        Assert.Equal(new BackfillResult(3, 3, 0, 0), first);
        Assert.Equal(new BackfillResult(3, 0, 3, 0), again);
        var runs = await RunsAsync(t, "report");
        Assert.Equal(["2026-03-05T08:00:00.000Z", "2026-03-06T08:00:00.000Z", "2026-03-09T08:00:00.000Z"], runs.Select(ScheduledAt));
        Assert.All(runs, r =>
        {
            Assert.Equal(TriggerSources.Backfill, r.Source);
            Assert.Equal(RunState.Queued, r.State);
            var payload = JsonNode.Parse(r.Payload!)!;
            Assert.True(payload["backfill"]!.GetValue<bool>());
            Assert.Equal("eu", payload["data"]!["region"]!.GetValue<string>());
            Assert.StartsWith("cron:", payload["trigger"]!.GetValue<string>());
        });
        var journal = await t.Client.ListJournalAsync(new JournalQuery { JobName = "report" });
        Assert.Equal(2, journal.Count(e => e.Kind == "job.backfilled"));
    }

    [Fact]
    public async Task A_time_the_scheduler_already_fired_counts_as_existing()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(Job("tick", new CronTriggerSpec("*/15 * * * *")));
        t.Clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(1, await t.Engine.Scheduler.FireDueAsync(CancellationToken.None)); // 12:15 fired live.

        var result = await t.Client.BackfillAsync(new BackfillRequest("tick", Start.AddHours(-1), Start.AddMinutes(16)));

        // 11:00, 11:15, 11:30, 11:45, 12:00 are new; 12:15 has its run.
        Assert.Equal(new BackfillResult(6, 5, 1, 0), result);
        Assert.Equal(6, (await RunsAsync(t, "tick")).Count);
    }

    [Fact]
    public async Task A_fixed_rate_interval_is_backfilled_on_its_own_series()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        var anchor = new DateTimeOffset(2026, 3, 1, 0, 7, 0, TimeSpan.Zero);
        await t.Engine.SaveJobAsync(Job("sync", new IntervalTriggerSpec(TimeSpan.FromHours(1)) { Anchor = anchor }));

        var result = await t.Client.BackfillAsync(new BackfillRequest("sync", Start.AddHours(-3), Start));

        Assert.Equal(3, result.Enqueued);
        Assert.Equal(["2026-03-10T09:07:00.000Z", "2026-03-10T10:07:00.000Z", "2026-03-10T11:07:00.000Z"], (await RunsAsync(t, "sync")).Select(ScheduledAt));
    }

    [Fact]
    public async Task One_trigger_can_be_chosen_by_id_or_key()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(Job("two", new CronTriggerSpec("0 * * * *"), new CronTriggerSpec("30 * * * *")));
        var triggers = (await t.Client.ListTriggersAsync("two")).OrderBy(x => x.Id).ToList();

        var byId = await t.Client.BackfillAsync(new BackfillRequest("two", Start.AddHours(-2), Start) { Trigger = triggers[1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var byKey = await t.Client.BackfillAsync(new BackfillRequest("two", Start.AddHours(-2), Start) { Trigger = triggers[0].Key });
        var both = await t.Client.BackfillAsync(new BackfillRequest("two", Start.AddHours(-2), Start));

        Assert.Equal((2, 2), (byId.Enqueued, byKey.Enqueued));
        Assert.Equal(new BackfillResult(4, 0, 4, 0), both);
        Assert.Equal(["2026-03-10T10:00:00.000Z", "2026-03-10T10:30:00.000Z", "2026-03-10T11:00:00.000Z", "2026-03-10T11:30:00.000Z"],
            (await RunsAsync(t, "two")).Select(ScheduledAt).Order());
    }

    [Fact]
    public async Task Overlap_skip_queues_only_what_the_job_has_room_for_and_counts_the_rest_as_skipped()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(Job("one-at-a-time", new CronTriggerSpec("0 * * * *")) with { Concurrency = new ConcurrencyPolicy(2, OverlapPolicy.Queue) });

        var skip = await t.Client.BackfillAsync(new BackfillRequest("one-at-a-time", Start.AddHours(-5), Start) { Overlap = BackfillOverlap.Skip });
        var allowAll = await t.Client.BackfillAsync(new BackfillRequest("one-at-a-time", Start.AddHours(-5), Start));

        // Room for 2 (maxInstances 2, none active): 07:00 and 08:00; then the default queues the 3 others, started as the limit allows.
        Assert.Equal(new BackfillResult(5, 2, 0, 3), skip);
        Assert.Equal(new BackfillResult(5, 3, 2, 0), allowAll);
        Assert.Equal(["2026-03-10T07:00:00.000Z", "2026-03-10T08:00:00.000Z"], (await RunsAsync(t, "one-at-a-time")).Take(2).Select(ScheduledAt));
    }

    [Fact]
    public async Task A_range_of_more_than_ten_thousand_runs_is_refused_saying_how_many()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(Job("busy", new CronTriggerSpec("* * * * *")));

        var error = await Assert.ThrowsAsync<KairosValidationException>(() => t.Client.BackfillAsync(new BackfillRequest("busy", Start.AddDays(-7), Start)));

        Assert.Contains("the range holds 10,080 scheduled times, more than the 10,000 one backfill may enqueue", error.Message);
        Assert.Empty(await RunsAsync(t, "busy"));
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_a_reason_and_enqueue_nothing()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(Job("cron", new CronTriggerSpec("0 * * * *")));
        await t.Engine.SaveJobAsync(Job("hooked", new WebhookTriggerSpec("in")));
        await t.Engine.SaveJobAsync(Job("later", new IntervalTriggerSpec(TimeSpan.FromMinutes(5), IntervalMode.FixedDelay)));
        await t.Engine.SaveJobAsync(Job("resting", new CronTriggerSpec("0 * * * *")) with { Paused = true });
        var hour = Start.AddHours(-1);

        Assert.Contains("must be before to", (await Assert.ThrowsAsync<KairosValidationException>(() => t.Client.BackfillAsync(new BackfillRequest("cron", Start, hour)))).Message);
        Assert.Contains("is after now", (await Assert.ThrowsAsync<KairosValidationException>(() => t.Client.BackfillAsync(new BackfillRequest("cron", hour, Start.AddHours(1))))).Message);
        Assert.Contains("has no time trigger", (await Assert.ThrowsAsync<KairosValidationException>(() => t.Client.BackfillAsync(new BackfillRequest("hooked", hour, Start)))).Message);
        Assert.Contains("has no time trigger", (await Assert.ThrowsAsync<KairosValidationException>(() => t.Client.BackfillAsync(new BackfillRequest("later", hour, Start)))).Message);
        Assert.Contains("has no trigger 'nope'", (await Assert.ThrowsAsync<KairosNotFoundException>(() => t.Client.BackfillAsync(new BackfillRequest("cron", hour, Start) { Trigger = "nope" }))).Message);
        Assert.Contains("is paused", (await Assert.ThrowsAsync<KairosConflictException>(() => t.Client.BackfillAsync(new BackfillRequest("resting", hour, Start)))).Message);
        await Assert.ThrowsAsync<KairosNotFoundException>(() => t.Client.BackfillAsync(new BackfillRequest("ghost", hour, Start)));
        Assert.Empty(await t.Store.ListRunsAsync(new RunQuery(), CancellationToken.None));
    }
}
