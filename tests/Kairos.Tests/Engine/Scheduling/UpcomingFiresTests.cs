using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine.Scheduling;

/// <summary>A job's next fire times, as the scheduler will really fire them, on a real SQLite file and a manual clock.</summary>
public sealed class UpcomingFiresTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 27, 12, 0, 0, TimeSpan.Zero);

    private static JobDefinition Job(string name, params TriggerSpec[] triggers) =>
        TestEngine.Job(name, change: j => j with { Triggers = triggers });

    [Fact]
    public async Task A_cron_trigger_shows_its_schedule_in_words_and_its_times_in_its_zone_across_the_clock_change()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(Job("report", new CronTriggerSpec("0 9 * * MON-FRI", "Europe/Paris")));

        var next = await t.Client.GetNextFireTimesAsync("report", 3);

        Assert.False(next.Paused);
        var trigger = Assert.Single(next.Triggers);
        Assert.Equal(("cron", "Europe/Paris", "At 09:00, Monday to Friday, Europe/Paris"), (trigger.Kind, trigger.TimeZone, trigger.Description));
        // Friday before the change (+01:00), then Monday and Tuesday after it (+02:00).
        Assert.Equal(["2026-03-30T09:00:00.0000000+02:00", "2026-03-31T09:00:00.0000000+02:00", "2026-04-01T09:00:00.0000000+02:00"],
            trigger.Times.Select(f => f.DueAt.ToString("O")));
        Assert.All(trigger.Times, f => Assert.Equal(f.ScheduledAt, f.DueAt));
    }

    [Fact]
    public async Task With_jitter_the_times_shown_are_the_due_times_the_scheduler_then_gives_the_runs()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(Job("spread", new CronTriggerSpec("*/10 * * * *") { Jitter = TimeSpan.FromMinutes(5) }));

        var shown = Assert.Single((await t.Client.GetNextFireTimesAsync("spread", 3)).Triggers).Times;
        for (var i = 0; i < 3; i++)
        {
            t.Clock.Advance(TimeSpan.FromMinutes(10));
            await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);
        }
        var runs = (await t.Store.ListRunsAsync(new RunQuery { JobName = "spread" }, CancellationToken.None)).OrderBy(r => r.Id).ToList();

        Assert.Equal(shown.Select(f => f.DueAt.ToUniversalTime()), runs.Select(r => r.DueAt.ToUniversalTime()));
        Assert.Contains(shown, f => f.DueAt > f.ScheduledAt);
    }

    [Fact]
    public async Task A_paused_job_still_shows_its_times_and_says_it_is_paused()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(Job("resting", new IntervalTriggerSpec(TimeSpan.FromMinutes(90))) with { Paused = true });

        var next = await t.Client.GetNextFireTimesAsync("resting", 2);

        Assert.True(next.Paused);
        var trigger = Assert.Single(next.Triggers);
        Assert.Equal("Every 1 hour 30 minutes", trigger.Description);
        Assert.Equal([Start.AddMinutes(90), Start.AddMinutes(180)], trigger.Times.Select(f => f.DueAt));
    }

    [Fact]
    public async Task Event_triggers_are_left_out_and_a_fired_once_trigger_has_no_more_times()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(Job("mixed", new WebhookTriggerSpec("in"), new OnceTriggerSpec(Start.AddMinutes(1))));

        var before = Assert.Single((await t.Client.GetNextFireTimesAsync("mixed")).Triggers);
        t.Clock.Advance(TimeSpan.FromMinutes(1));
        await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);
        var after = Assert.Single((await t.Client.GetNextFireTimesAsync("mixed")).Triggers);

        Assert.Equal("once", before.Kind);
        Assert.Equal([Start.AddMinutes(1)], before.Times.Select(f => f.DueAt));
        Assert.Empty(after.Times);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task A_count_outside_1_to_100_is_refused(int count)
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        await t.Engine.SaveJobAsync(Job("report", new CronTriggerSpec("0 9 * * *")));

        var error = await Assert.ThrowsAsync<KairosValidationException>(() => t.Client.GetNextFireTimesAsync("report", count));

        Assert.Contains("ask for 1 to 100 fire times", error.Message);
    }
}
