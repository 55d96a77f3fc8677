using Microsoft.Extensions.Logging;

namespace Kairos.Engine.Services;

/// <summary>
/// The shape every background loop of the engine shares: run a pass, sleep until the time the pass
/// asked for or until woken, repeat, on the engine's <see cref="TimeProvider"/>. Invariants:
/// <list type="bullet">
/// <item><b>Exception</b>: a pass that throws is logged once, with <see cref="Name"/>, and the next
/// pass runs after <see cref="Backoff"/> (1 s unless the loop says otherwise, doubling with each consecutive failure, back to the first
/// step after a good pass). A wake during a back-off is kept for later, not acted on early: callers
/// that wake often (every enqueue wakes the dispatcher) must not turn a back-off into a busy retry.
/// The loop never ends because a pass failed (supervision).</item>
/// <item><b>Stop</b>: once <c>stopping</c> is cancelled, whatever the pass or the sleep throws ends
/// the loop quietly (a store call cut short by the stop is not a failure); then
/// <see cref="OnStoppedAsync"/> runs once. <see cref="RunAsync"/> never throws, and may be called
/// again after it returned (a leader service starts again when its node leads again).</item>
/// <item><b>Wake</b>: <see cref="Wake"/> ends the current sleep, or the next one if none is under
/// way; several wakes before a sleep count as one. A pass asking for a time at or before now runs
/// again at once without looking at wakes.</item>
/// <item><b>Test signal</b>: <see cref="SleepingUntil"/> says the loop is in a sleep that nothing has
/// ended yet: published once the sleep's timer is armed (a clock moved on seeing it fires that timer;
/// published before, a timer armed after the move counted its delay from the moved clock and fired
/// that much late), not published for a sleep a wake had already ended, and no longer reported once a
/// wake or the clock ends it (the pass that follows has not read the clock yet: moving the clock then
/// raced it).
/// <see cref="Passes"/> and <see cref="Failures"/> count finished passes. Tests wait for them before
/// moving a manual clock, instead of sleeping.</item>
/// </list>
/// </summary>
internal abstract class EngineLoop(string name, TimeProvider time, ILogger logger)
{
    /// <summary>Timers cannot be set beyond ~49 days; a loop that asks for longer is woken after a day and asked again.</summary>
    private static readonly TimeSpan LongestSleep = TimeSpan.FromDays(1);

    /// <summary>Published while sleeping until woken, with no time set.</summary>
    public static readonly DateTimeOffset UntilWoken = DateTimeOffset.MaxValue;

    private readonly WakeSignal _wake = new();
    private Sleep? _sleep; // The sleep under way, once its timer is armed; null: none.
    private long _passes;
    private long _failures;

    /// <summary>How logs name this loop.</summary>
    public string Name { get; } = name;

    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    /// <summary>
    /// When the current sleep ends (<see cref="UntilWoken"/>: only when woken); null while a pass runs,
    /// once a wake or the clock has ended the sleep, or when the loop is not running.
    /// </summary>
    internal DateTimeOffset? SleepingUntil =>
        Volatile.Read(ref _sleep) is { } sleep && !(sleep.Wakeable && _wake.IsSet) && sleep.Until > Time.GetUtcNow() ? sleep.Until : null;

    /// <summary>Passes finished since the engine was built, good or failed.</summary>
    internal long Passes => Interlocked.Read(ref _passes);

    /// <summary>Passes that threw since the engine was built.</summary>
    internal long Failures => Interlocked.Read(ref _failures);

    /// <summary>The wait after failed passes; read at each failure, so it follows options changed after the engine was built.</summary>
    protected virtual Backoff Backoff => Backoff.Default;

    /// <summary>Ends the current sleep, or the next one.</summary>
    public void Wake() => _wake.Set();

    /// <summary>
    /// One pass of the loop's work. Returns when the next pass is due: a time on the engine clock
    /// (at or before now: at once), or null to sleep until woken. A wake ends the sleep earlier.
    /// </summary>
    protected abstract ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping);

    /// <summary>Runs once after the loop ended because of the stop: release what the passes hold. Must not throw.</summary>
    protected virtual Task OnStoppedAsync() => Task.CompletedTask;

    /// <summary>Runs passes until <paramref name="stopping"/> is cancelled. Never throws.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var consecutiveFailures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                DateTimeOffset? next;
                try
                {
                    next = await RunPassAsync(stopping).ConfigureAwait(false);
                    consecutiveFailures = 0;
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    consecutiveFailures++;
                    Interlocked.Increment(ref _failures);
                    var delay = Backoff.After(consecutiveFailures);
                    Logger.LogError(ex, "{Service} failed ({Failures} in a row); next pass in {Delay}", Name, consecutiveFailures, delay);
                    Interlocked.Increment(ref _passes);
                    await SleepAsync(Time.GetUtcNow() + delay, wakeable: false, stopping).ConfigureAwait(false);
                    continue;
                }
                Interlocked.Increment(ref _passes);
                await SleepAsync(next, wakeable: true, stopping).ConfigureAwait(false);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                break; // Stopped during the pass or the sleep.
            }
        }
        Volatile.Write(ref _sleep, null);
        try
        {
            await OnStoppedAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "{Service} failed while stopping", Name);
        }
    }

    private async Task SleepAsync(DateTimeOffset? until, bool wakeable, CancellationToken stopping)
    {
        var now = Time.GetUtcNow();
        if (until <= now)
        {
            return;
        }
        var end = until is { } u && u - now < LongestSleep ? u : now + LongestSleep;
        // Both arm their timer before they return.
        var sleeping = wakeable ? _wake.WaitAsync(until is null ? null : end - now, Time, stopping) : Task.Delay(end - now, Time, stopping);
        var sleep = new Sleep(until is null ? UntilWoken : end, wakeable);
        if (!sleeping.IsCompleted)
        {
            Volatile.Write(ref _sleep, sleep);
        }
        try
        {
            await sleeping.ConfigureAwait(false);
        }
        finally
        {
            Interlocked.CompareExchange(ref _sleep, null, sleep);
        }
    }

    private sealed record Sleep(DateTimeOffset Until, bool Wakeable);
}
