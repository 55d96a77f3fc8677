using System.Collections.Concurrent;
using Kairos.Hosting;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine;

/// <summary>
/// The only thing that starts runs. It claims due runs (the store applies priority order and the
/// job, queue and executor-kind limits), starts each as an <see cref="RunAttempt"/>, and keeps their
/// leases alive with a heartbeat every third of the lease duration. It sleeps until woken (an enqueue,
/// a finished run, a rescue) or until the earliest future due time.
/// </summary>
internal sealed class RunDispatcher(
    IKairosStore store,
    KairosOptions options,
    TimeProvider time,
    Func<Model.RunRecord, RunAttempt> attemptFactory,
    ILogger logger)
{
    // Many due runs are claimed in chunks: the first ones start while the next chunk is claimed,
    // rather than every run waiting for one long claim.
    private const int MaxClaim = 128;

    private readonly WakeSignal _wake = new();
    private readonly ConcurrentDictionary<long, RunAttempt> _active = new();

    public int ActiveCount => _active.Count;

    public void Wake() => _wake.Set();

    public async Task RunAsync(CancellationToken stopping)
    {
        var heartbeat = HeartbeatAsync(stopping);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var free = options.Workers - _active.Count;
                var claimedAll = false;
                var now = time.GetUtcNow();
                if (free > 0)
                {
                    var wanted = Math.Min(free, MaxClaim);
                    var claimed = await store.ClaimAsync(
                        new ClaimRequest(options.NodeId, now, now + options.LeaseDuration, wanted, options.QueueLimits, options.ExecutorLimits),
                        stopping).ConfigureAwait(false);
                    foreach (var run in claimed)
                    {
                        Start(run);
                    }
                    claimedAll = claimed.Count == wanted;
                }
                if (claimedAll)
                {
                    continue; // There may be more due runs waiting.
                }
                await _wake.WaitAsync(await SleepTimeAsync(free, now, stopping).ConfigureAwait(false), time, stopping).ConfigureAwait(false);
                // Runs whose outcomes were committed together finish together: yield once so they
                // free their slots before the next claim, which is then one claim instead of many.
                await Task.Yield();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Dispatcher failed to claim runs; retrying in 1 s");
                await Task.Delay(TimeSpan.FromSeconds(1), time, CancellationToken.None).ConfigureAwait(false);
            }
        }
        await heartbeat.ConfigureAwait(false);
    }

    private async Task<TimeSpan> SleepTimeAsync(int free, DateTimeOffset claimedAt, CancellationToken stopping)
    {
        if (free <= 0)
        {
            return options.IdleRecheck; // Full: a finishing run wakes us.
        }
        if (await store.GetNextQueuedDueAsync(stopping).ConfigureAwait(false) is not { } nextDue)
        {
            return options.IdleRecheck;
        }
        if (nextDue <= claimedAt)
        {
            // Due when we claimed but not claimable (paused job, limit reached): a finishing run or a resume wakes us.
            return options.IdleRecheck;
        }
        // Due after the claim looked, maybe already (a timer may fire a little early): claim at its due time.
        var wait = nextDue - time.GetUtcNow();
        return wait < options.IdleRecheck ? wait : options.IdleRecheck;
    }

    private void Start(Model.RunRecord run)
    {
        var attempt = attemptFactory(run);
        _active[run.Id] = attempt;
        // On the thread pool: an attempt runs synchronously up to its first await (a quick handler
        // runs whole), and claimed runs should start side by side, not one after the other here.
        ThreadPool.UnsafeQueueUserWorkItem(static a => _ = a.Dispatcher.RunAttemptAsync(a.Attempt), (Dispatcher: this, Attempt: attempt), preferLocal: false);
    }

    private async Task RunAttemptAsync(RunAttempt attempt)
    {
        try
        {
            await attempt.RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Run {RunId} failed outside its executor", attempt.Run.Id);
        }
        finally
        {
            _active.TryRemove(attempt.Run.Id, out _);
            Wake();
        }
    }

    /// <summary>Renews this node's leases; stops runs whose cancel was requested or whose lease was lost.</summary>
    private async Task HeartbeatAsync(CancellationToken stopping)
    {
        var interval = options.LeaseDuration / 3;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stopping).ConfigureAwait(false);
                await BeatAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Lease heartbeat failed");
            }
        }
    }

    internal async Task BeatAsync(CancellationToken cancellationToken)
    {
        var ids = _active.Keys.ToList();
        if (ids.Count == 0)
        {
            return;
        }
        var renewal = await store.RenewLeasesAsync(options.NodeId, ids, time.GetUtcNow() + options.LeaseDuration, cancellationToken).ConfigureAwait(false);
        // An attempt storing its outcome may already have ended its run (no lease left to renew): not a loss.
        foreach (var id in renewal.CancelRequested)
        {
            if (_active.TryGetValue(id, out var attempt) && !attempt.IsFinishing)
            {
                attempt.Cancel(CancelReason.Requested);
            }
        }
        foreach (var id in renewal.Lost)
        {
            if (_active.TryGetValue(id, out var attempt) && !attempt.IsFinishing)
            {
                logger.LogWarning("Run {RunId} lost its lease; stopping it here", id);
                attempt.Cancel(CancelReason.LeaseLost);
            }
        }
        foreach (var attempt in _active.Values)
        {
            await attempt.FlushLogAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Shutdown: waits for running attempts up to the grace period, then hands the rest back to the queue.</summary>
    public async Task DrainAsync()
    {
        var running = _active.Values.Select(a => a.Completion).ToList();
        var all = Task.WhenAll(running);
        await Task.WhenAny(all, Task.Delay(options.ShutdownGrace, time)).ConfigureAwait(false);
        var left = _active.Values.ToList();
        foreach (var attempt in left)
        {
            attempt.Cancel(CancelReason.Shutdown);
        }
        if (left.Count > 0)
        {
            await store.ReleaseAsync(options.NodeId, left.Select(a => a.Run.Id).ToList(), "the node shut down while the run was running",
                time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
    }
}
