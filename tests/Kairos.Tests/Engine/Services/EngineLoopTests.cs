using Kairos.Engine.Services;
using Kairos.Tests.Support;
using Xunit;

namespace Kairos.Tests.Engine.Services;

/// <summary>The background-loop base on a manual clock: back-off, supervision, stop, wake and the test signal.</summary>
public sealed class EngineLoopTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider _clock = new(T0);
    private CancellationTokenSource _stopping = new();
    private readonly ScriptedLoop _loop;
    private Task _running = Task.CompletedTask;

    public EngineLoopTests() => _loop = new ScriptedLoop(_clock);

    [Fact]
    public async Task A_pass_that_throws_is_retried_after_the_backoff_and_the_loop_goes_on()
    {
        _loop.Fail();
        Start();
        await SleepingUntilAsync(T0.AddSeconds(1));
        Assert.Equal((1, 1), (_loop.Passes, _loop.Failures));

        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(T0.AddSeconds(1), _clock.NextTimerDue()); // The back-off's timer: not fired yet, so no pass ran.
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await SleepingUntilAsync(EngineLoop.UntilWoken); // The second pass ran, and asked to sleep until woken.
        Assert.Equal((2, 1), (_loop.Passes, _loop.Failures));
    }

    [Fact]
    public async Task The_backoff_doubles_with_each_failure_and_starts_again_after_a_good_pass()
    {
        _loop.Fail().Fail().Fail().SleepFor(TimeSpan.FromMinutes(10)).Fail();
        Start();
        foreach (var seconds in new[] { 1, 2, 4, 600, 1 })
        {
            var sleep = TimeSpan.FromSeconds(seconds);
            await SleepingUntilAsync(_clock.GetUtcNow() + sleep);
            _clock.Advance(sleep);
        }
        await SleepingUntilAsync(EngineLoop.UntilWoken);
        Assert.Equal((6, 4), (_loop.Passes, _loop.Failures));
    }

    [Fact]
    public void The_backoff_stops_doubling_at_its_cap()
    {
        Assert.Equal(
            new[] { 1, 2, 4, 8, 16, 32, 60, 60 }.Select(s => TimeSpan.FromSeconds(s)),
            Enumerable.Range(1, 8).Select(Backoff.Default.After));
        Assert.Equal(TimeSpan.FromMilliseconds(300), Backoff.UpTo(TimeSpan.FromMilliseconds(300)).After(1)); // A cap below the first step wins.
        Assert.Equal(TimeSpan.FromDays(30), new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromDays(30)).After(int.MaxValue));
    }

    [Fact]
    public async Task A_wake_ends_a_timed_sleep_early_and_a_sleep_until_woken()
    {
        _loop.SleepFor(TimeSpan.FromHours(1));
        Start();
        await SleepingUntilAsync(T0.AddHours(1));
        _loop.Wake();
        await SleepingUntilAsync(EngineLoop.UntilWoken); // The second pass ran without the clock moving.
        _loop.Wake();
        await Eventually.TrueAsync(() => _loop.Passes == 3 && _loop.SleepingUntil == EngineLoop.UntilWoken, "a third pass after the second wake");
        Assert.Equal(T0, _clock.GetUtcNow());
    }

    [Fact]
    public async Task A_pass_that_asks_for_a_time_already_past_runs_the_next_one_at_once()
    {
        _loop.SleepFor(TimeSpan.Zero).SleepFor(-TimeSpan.FromMinutes(1));
        Start();
        await SleepingUntilAsync(EngineLoop.UntilWoken);
        Assert.Equal(3, _loop.Passes);
    }

    [Fact]
    public async Task A_long_sleep_is_published_as_asked_and_ends_on_the_clock()
    {
        _loop.SleepFor(TimeSpan.FromMinutes(10));
        Start();
        await SleepingUntilAsync(T0.AddMinutes(10));
        _clock.Advance(TimeSpan.FromMinutes(10));
        await SleepingUntilAsync(EngineLoop.UntilWoken);
        Assert.Equal(2, _loop.Passes);
    }

    [Theory]
    [InlineData("asleep", 1, 0)]
    [InlineData("in a pass", 0, 0)]
    [InlineData("backing off", 1, 1)]
    public async Task Stop_ends_the_loop_quietly_and_runs_its_stop_once(string when, int passes, int failures)
    {
        Func<bool> reached = () => _loop.SleepingUntil == EngineLoop.UntilWoken;
        if (when == "in a pass")
        {
            _loop.Hang();
            reached = () => _loop.SleepingUntil is null && _loop.Passes == 0;
        }
        else if (when == "backing off")
        {
            _loop.Fail();
            reached = () => _loop.SleepingUntil == T0.AddSeconds(1);
        }
        Start();
        await Eventually.TrueAsync(reached, $"the loop to be {when}");
        await StopAsync();
        Assert.True(_loop.Stopped);
        Assert.Null(_loop.SleepingUntil);
        Assert.Equal((passes, failures), (_loop.Passes, _loop.Failures));
    }

    [Fact]
    public async Task A_loop_stopped_can_run_again_as_a_leader_service_does_when_its_node_leads_again()
    {
        Start();
        await SleepingUntilAsync(EngineLoop.UntilWoken);
        await StopAsync();
        _loop.SleepFor(TimeSpan.FromSeconds(5));
        Start();
        await SleepingUntilAsync(T0.AddSeconds(5));
        Assert.Equal(2, _loop.Passes);
    }

    private void Start()
    {
        _stopping = new CancellationTokenSource();
        _running = _loop.RunAsync(_stopping.Token);
    }

    private async Task StopAsync()
    {
        if (_running.IsCompleted)
        {
            return; // Not started, or stopped already.
        }
        await _stopping.CancelAsync();
        await _running.WaitAsync(TimeSpan.FromSeconds(10)); // Returns (never throws) once stopped.
        _stopping.Dispose();
    }

    private Task SleepingUntilAsync(DateTimeOffset until) =>
        Eventually.TrueAsync(() => _loop.SleepingUntil == until, $"the loop to sleep until {until:O} (it sleeps until {_loop.SleepingUntil:O})");

    public ValueTask DisposeAsync() => new(StopAsync());
}
