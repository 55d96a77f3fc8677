using System.Text.Json;
using Kairos.Cron;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine;

/// <summary>Time triggers through the real scheduler and a real SQLite store, on a manual clock.</summary>
public sealed class TriggerSchedulerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static JobDefinition CronJob(string name, string expression, string zone, MisfirePolicy misfire = MisfirePolicy.FireOnce) =>
        TestEngine.Job(name, change: j => j with { Triggers = [new CronTriggerSpec(expression, zone) { Misfire = misfire }] });

    private static async Task<List<(string Job, DateTimeOffset ScheduledAt, int Missed)>> FiredAsync(TestEngine t)
    {
        var runs = new List<RunRecord>();
        long? before = null;
        while (true)
        {
            var page = await t.Store.ListRunsAsync(new RunQuery { Limit = 5_000, BeforeId = before }, CancellationToken.None);
            runs.AddRange(page);
            if (page.Count < 5_000)
            {
                break;
            }
            before = page[^1].Id;
        }
        return runs.OrderBy(r => r.Id).Select(r =>
        {
            using var payload = JsonDocument.Parse(r.Payload!);
            var missed = payload.RootElement.TryGetProperty("missedFires", out var m) ? m.GetInt32() : 0;
            return (r.JobName, DateTimeOffset.Parse(payload.RootElement.GetProperty("scheduledAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture), missed);
        }).ToList();
    }

    [Fact]
    public async Task Jitter_spreads_identical_schedules_within_the_window_and_each_fire_keeps_its_scheduled_time()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        var jitter = TimeSpan.FromSeconds(30);
        foreach (var name in new[] { "fleet-1", "fleet-2", "fleet-3", "fleet-4" })
        {
            await t.Engine.SaveJobAsync(TestEngine.Job(name, change: j => j with { Triggers = [new CronTriggerSpec("* * * * *", "UTC") { Jitter = jitter }] }));
        }

        for (var minute = 0; minute < 3; minute++)
        {
            t.Clock.Advance(TimeSpan.FromMinutes(1));
            await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);
        }

        var runs = await t.Store.ListRunsAsync(new RunQuery { Limit = 100 }, CancellationToken.None);
        Assert.Equal(12, runs.Count);
        var fired = await FiredAsync(t);
        var offsets = runs.OrderBy(r => r.Id).Zip(fired, (run, f) => run.DueAt - f.ScheduledAt).ToList();
        Assert.All(offsets, o => Assert.InRange(o, TimeSpan.Zero, jitter - TimeSpan.FromMilliseconds(1)));
        Assert.True(offsets.Distinct().Count() > 6, $"the offsets should spread: {string.Join(", ", offsets)}");
    }

    [Fact]
    public async Task After_downtime_fires_older_than_the_catch_up_window_are_dropped_and_counted_and_the_rest_follow_the_policy()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(TestEngine.Job("minutely", change: j => j with
        {
            Triggers = [new CronTriggerSpec("* * * * *", "UTC") { Misfire = MisfirePolicy.FireAll, CatchUp = TimeSpan.FromMinutes(10) }],
        }));

        // Down for an hour: fire times 00:01 … 01:00 were missed; only those after 00:50:30 are within the window.
        t.Clock.Advance(TimeSpan.FromMinutes(60) + TimeSpan.FromSeconds(30));
        await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);

        var fired = await FiredAsync(t);
        Assert.Equal(Enumerable.Range(51, 10).Select(m => Start.AddMinutes(m)), fired.Select(f => f.ScheduledAt));
        var note = Assert.Single(await t.Store.ListJournalAsync(new JournalQuery { JobName = "minutely" }, CancellationToken.None), e => e.Kind == "trigger.fired");
        Assert.Equal(50, JsonDocument.Parse(note.Data!).RootElement.GetProperty("dropped").GetInt32());
        Assert.Equal(Start.AddMinutes(61), (await t.Store.ListTriggersAsync("minutely", CancellationToken.None)).Single().NextFireAt);
    }

    [Fact]
    public void Jitter_is_refused_where_it_cannot_apply_or_is_not_a_small_positive_duration()
    {
        var onWebhook = TestEngine.Job("hooked", change: j => j with { Triggers = [new WebhookTriggerSpec("h") { Jitter = TimeSpan.FromSeconds(5) }] });
        var tooLong = CronJob("daily", "0 9 * * *", "UTC") with { Triggers = [new CronTriggerSpec("0 9 * * *", "UTC") { Jitter = TimeSpan.FromDays(2) }] };

        Assert.Contains(JobRules.Validate(onWebhook), e => e.StartsWith("triggers[0].jitter", StringComparison.Ordinal));
        Assert.Contains(JobRules.Validate(tooLong), e => e.StartsWith("triggers[0].jitter", StringComparison.Ordinal));
        var catchUpOnce = TestEngine.Job("once", change: j => j with { Triggers = [new OnceTriggerSpec(Start) { CatchUp = TimeSpan.FromHours(1) }] });
        Assert.Contains(JobRules.Validate(catchUpOnce), e => e.StartsWith("triggers[0].catchUp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_simulated_year_of_cron_schedules_across_daylight_saving_fires_every_time_exactly_once()
    {
        var schedules = new (string Job, string Expression, string Zone)[]
        {
            ("paris-hourly", "0 * * * *", "Europe/Paris"),
            ("paris-0230", "30 2 * * *", "Europe/Paris"),
            ("paris-weekdays", "0 9 * * MON-FRI", "Europe/Paris"),
            ("newyork-night", "*/15 1-2 * * *", "America/New_York"),
            ("lordhowe-0145", "45 1 * * *", "Australia/Lord_Howe"),
            ("kolkata-midnight", "0 0 * * *", "Asia/Kolkata"),
        };
        // Steps of 6 h with a 6 h misfire threshold: every fire in a step is on time and fired individually.
        await using var t = await TestEngine.CreateAsync(configure: o => o.MisfireThreshold = TimeSpan.FromHours(6), start: Start);
        foreach (var (job, expression, zone) in schedules)
        {
            await t.Engine.SaveJobAsync(CronJob(job, expression, zone));
        }
        var end = Start.AddYears(1);
        while (t.Clock.GetUtcNow() < end)
        {
            t.Clock.Advance(TimeSpan.FromHours(6));
            await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);
        }

        var fired = await FiredAsync(t);
        Assert.All(fired, f => Assert.Equal(0, f.Missed));
        foreach (var (job, expression, zone) in schedules)
        {
            var expected = CronSchedule.Parse(expression)
                .GetOccurrences(Start, TimeZoneInfo.FindSystemTimeZoneById(zone))
                .TakeWhile(o => o <= end)
                .Select(o => o.UtcDateTime)
                .ToList();
            var actual = fired.Where(f => f.Job == job).Select(f => f.ScheduledAt.UtcDateTime).ToList();
            Assert.Equal(expected, actual); // No missed and no doubled fire, in order.
        }

        // Independent checks of the daylight-saving rules on the stored fires.
        var hourly = fired.Where(f => f.Job == "paris-hourly").Select(f => f.ScheduledAt).ToList();
        Assert.Equal(8760, hourly.Count); // One per UTC hour: the gap hour collapses into 03:00, the repeated hour fires twice.
        var paris0230 = fired.Where(f => f.Job == "paris-0230").Select(f => f.ScheduledAt).ToList();
        Assert.Equal(365, paris0230.Count);
        Assert.Contains(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), paris0230);   // 02:30 does not exist: fires at 03:00 CEST.
        Assert.Contains(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), paris0230); // 02:30 happens twice: first pass only.
        Assert.DoesNotContain(new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.Zero), paris0230);
        var newYork = fired.Where(f => f.Job == "newyork-night").Select(f => f.ScheduledAt.UtcDateTime).ToList();
        Assert.Equal(newYork.Count, newYork.Distinct().Count());
        Assert.Equal(8, newYork.Count(f => f.Date == new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc) && f.Hour is 5 or 6)); // 01:xx EDT and 01:xx EST: both passes.
    }

    [Fact]
    public async Task The_scheduler_loop_sleeps_until_the_next_fire_and_wakes_on_time()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(CronJob("minutely", "* * * * *", "UTC"));
        await t.StartAsync();

        for (var minute = 1; minute <= 30; minute++)
        {
            // The scheduler's own sleep, not any timer: other loops (check-in, rescuer, heartbeat) have timers due sooner.
            var tick = Start.AddMinutes(minute);
            await Eventually.TrueAsync(() => t.Engine.Scheduler.SleepingUntil is var until && until > tick.AddMinutes(-1) && until <= tick, $"the scheduler to sleep until minute {minute}");
            t.Clock.Advance(TimeSpan.FromMinutes(1));
            var expected = minute;
            await Eventually.TrueAsync(async () => (await t.Store.ListRunsAsync(new RunQuery { Limit = 100 }, CancellationToken.None)).Count == expected, $"{expected} runs");
        }
        var runs = await t.Store.ListRunsAsync(new RunQuery { Limit = 100 }, CancellationToken.None);
        Assert.Equal(30, runs.Select(r => r.IdempotencyKey).Distinct().Count());
    }

    [Theory]
    [InlineData(MisfirePolicy.FireOnce, 1)]
    [InlineData(MisfirePolicy.FireAll, 5)]
    [InlineData(MisfirePolicy.Skip, 0)]
    public async Task After_downtime_the_misfire_policy_decides_what_fires(MisfirePolicy policy, int expectedRuns)
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(CronJob("hourly", "0 * * * *", "UTC", policy));

        t.Clock.SetUtcNow(Start.AddHours(5).AddMinutes(30)); // Down from 00:00 to 05:30: 01:00 … 05:00 missed.
        await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);

        var fired = await FiredAsync(t);
        Assert.Equal(expectedRuns, fired.Count);
        if (policy == MisfirePolicy.FireOnce)
        {
            Assert.Equal((Start.AddHours(5), 5), (fired[0].ScheduledAt, fired[0].Missed));
        }
        if (policy == MisfirePolicy.FireAll)
        {
            Assert.Equal(Enumerable.Range(1, 5).Select(h => Start.AddHours(h)), fired.Select(f => f.ScheduledAt));
        }
        var trigger = Assert.Single(await t.Store.ListTriggersAsync("hourly", CancellationToken.None));
        Assert.Equal(Start.AddHours(6), trigger.NextFireAt);
        var journal = await t.Store.ListJournalAsync(new JournalQuery { JobName = "hourly" }, CancellationToken.None);
        Assert.Contains(journal, e => e.Kind == "trigger.fired" && e.Data!.Contains("\"missed\":5"));
    }

    [Fact]
    public async Task A_fixed_delay_interval_waits_for_the_previous_run_to_end()
    {
        var release = new SemaphoreSlim(0);
        await using var t = await TestEngine.CreateAsync(
            s => s.AddHandler("gate", async ctx =>
            {
                await release.WaitAsync(ctx.CancellationToken);
                return null;
            }),
            // Longer than the 25-minute jump below: the jump fires the rescuer's and the heartbeat's
            // timers in no set order, and a rescuer first would take the run back as a crashed one.
            configure: o => o.LeaseDuration = TimeSpan.FromHours(2),
            start: Start);
        await t.Engine.SaveJobAsync(TestEngine.Job("delayed", "gate", j => j with { Triggers = [new IntervalTriggerSpec(TimeSpan.FromMinutes(10), IntervalMode.FixedDelay)] }));
        await t.StartAsync();

        t.Clock.Advance(TimeSpan.FromMinutes(10));
        await Eventually.TrueAsync(async () => (await t.Store.ListRunsAsync(new RunQuery { State = RunState.Running }, CancellationToken.None)).Count == 1, "the first run to start");
        Assert.Null(Assert.Single(await t.Store.ListTriggersAsync("delayed", CancellationToken.None)).NextFireAt);

        t.Clock.Advance(TimeSpan.FromMinutes(25)); // The run takes 25 minutes; nothing else fires meanwhile.
        release.Release();
        var finishedAt = Start.AddMinutes(35);
        await Eventually.TrueAsync(async () => (await t.Store.ListTriggersAsync("delayed", CancellationToken.None)).Single().NextFireAt == finishedAt.AddMinutes(10), "the next fire 10 min after the run ended");
        Assert.Single(await t.Store.ListRunsAsync(new RunQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task Once_and_now_triggers_fire_a_single_time_even_when_the_job_is_saved_again()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        var job = TestEngine.Job("oneshot", change: j => j with { Triggers = [new OnceTriggerSpec(Start.AddHours(2)), new NowTriggerSpec()] });
        await t.Engine.SaveJobAsync(job);
        await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);
        t.Clock.Advance(TimeSpan.FromHours(3));
        await t.Engine.SaveJobAsync(job); // A restart re-saves the configuration.
        await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);
        t.Clock.Advance(TimeSpan.FromDays(30));
        await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);

        var runs = await t.Store.ListRunsAsync(new RunQuery(), CancellationToken.None);
        Assert.Equal(["now", "once"], runs.Select(r => r.Source).Order());
        Assert.All(await t.Store.ListTriggersAsync("oneshot", CancellationToken.None), tr => Assert.Null(tr.NextFireAt));
    }

    [Fact]
    public async Task A_fixed_rate_interval_keeps_its_anchor()
    {
        await using var t = await TestEngine.CreateAsync(start: Start.AddMinutes(7));
        await t.Engine.SaveJobAsync(TestEngine.Job("aligned", change: j => j with
        {
            Triggers = [new IntervalTriggerSpec(TimeSpan.FromMinutes(15)) { Anchor = Start }],
        }));
        for (var i = 0; i < 4; i++)
        {
            t.Clock.Advance(TimeSpan.FromMinutes(15));
            await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);
        }
        Assert.Equal(new[] { 15, 30, 45, 60 }, (await FiredAsync(t)).Select(f => (int)(f.ScheduledAt - Start).TotalMinutes));
    }

    [Fact]
    public async Task A_paused_job_s_triggers_move_on_without_enqueueing()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(CronJob("paused", "*/5 * * * *", "UTC"));
        await t.Engine.SetPausedAsync("paused", true);
        t.Clock.Advance(TimeSpan.FromMinutes(5));
        await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);

        Assert.Empty(await t.Store.ListRunsAsync(new RunQuery(), CancellationToken.None));
        Assert.Equal(Start.AddMinutes(10), Assert.Single(await t.Store.ListTriggersAsync("paused", CancellationToken.None)).NextFireAt);
    }
}
