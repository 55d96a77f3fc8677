using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Observability;

/// <summary>
/// What the engine measures where no HTTP is involved, on a manual clock: how late time triggers
/// fire, and the runs flow rules hold back. (The flow counter is the process's: each test counts
/// its own job's runs.)
/// </summary>
public sealed class EngineMetricsTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 4, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_cron_tick_fired_40_seconds_after_its_time_is_measured_40_seconds_late()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        using var lateness = new MetricRecorder(t.Engine, "kairos.trigger.lateness");
        await t.Engine.SaveJobAsync(TestEngine.Job("every-minute", change: j => j with { Triggers = [new CronTriggerSpec("* * * * *")] }));

        t.Clock.Advance(TimeSpan.FromSeconds(100)); // The 10:01 tick, seen at 10:01:40.
        await t.Engine.Scheduler.FireDueAsync(CancellationToken.None);

        Assert.Equal([40.0], lateness.Values(("source", "cron")));
    }

    [Fact]
    public async Task Runs_a_throttle_delays_and_a_rate_limit_skips_are_counted_by_job_and_rule()
    {
        await using var t = await TestEngine.CreateAsync(start: Start);
        using var waits = new MetricRecorder(t.Engine, "kairos.flow.waits");
        var throttled = "throttled-" + Guid.NewGuid().ToString("N")[..8];
        var limited = "limited-" + Guid.NewGuid().ToString("N")[..8];
        await t.Engine.SaveJobAsync(TestEngine.Job(throttled, change: j => j with { Flow = new FlowControl { Throttle = new ThrottleRule(1, TimeSpan.FromSeconds(10)) } }));
        await t.Engine.SaveJobAsync(TestEngine.Job(limited, change: j => j with { Flow = new FlowControl { RateLimit = new RateLimitRule(1, TimeSpan.FromMinutes(1)) } }));

        for (var i = 0; i < 3; i++)
        {
            await t.Engine.RunNowAsync(throttled);
            await t.Engine.RunNowAsync(limited);
        }

        Assert.Equal(2, waits.Sum(("job", throttled), ("rule", "throttle")));
        Assert.Equal(2, waits.Sum(("job", limited), ("rule", "rateLimit")));
    }
}
