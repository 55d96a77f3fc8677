using System.Collections.Concurrent;
using Kairos.Engine.Services;
using Kairos.Hosting;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine;

/// <summary>
/// The only thing that starts runs. It claims due runs (the store applies priority order and the
/// job, queue, executor-kind and namespace limits) and starts each as an <see cref="RunAttempt"/>; its
/// <see cref="LeaseHeartbeat"/> keeps their leases alive. It sleeps until woken (an enqueue, a
/// worker slot freed, a rescue) or until the next due time comes within <see cref="ClaimAhead"/>.
/// <para>
/// Runs due within <see cref="ClaimAhead"/> are claimed before their due time and begin at it (a
/// cron tick's runs start on their instant, not after the claim that follows it). Such a run is
/// marked started at its due time; at shutdown it is given back unspent (<see cref="Lifecycle.InterruptedRuns.UnclaimAsync"/>),
/// and if its node dies it is rescued like any running run when its lease runs out.
/// </para>
/// </summary>
internal sealed class RunDispatcher(
    IKairosStore store,
    KairosOptions options,
    TimeProvider time,
    Func<Model.RunRecord, RunAttempt> attemptFactory,
    ILogger logger)
    : EngineLoop("Dispatcher", time, logger)
{
    /// <summary>
    /// How far ahead of their due time runs are claimed. Shorter than the scheduler's lead (it queues
    /// a tick's runs 250 ms ahead), so the runs of a tick are there when the dispatcher looks.
    /// </summary>
    internal static readonly TimeSpan ClaimAhead = TimeSpan.FromMilliseconds(200);

    // A claim ahead takes only runs due at least this far off. A run due now can look a little
    // ahead of the clock read before the claim (enqueued meanwhile, or stamped by the database's
    // clock); it is claimed as due, within the free workers, not held beyond them.
    private static readonly TimeSpan MinLead = TimeSpan.FromMilliseconds(50);

    // Many due runs are claimed in chunks: the first ones start while the next chunk is claimed,
    // rather than every run waiting for one long claim.
    private const int MaxClaim = 128;

    // Most runs held claimed ahead of their due time at once: what one node may take from the
    // others before they are due, and keep in memory.
    private const int MaxClaimedAhead = 1024;

    // How many runs storing their outcome per worker a node holds before they count against its
    // workers. One per worker held outcome batches to ~21 runs and claims to ~16 at 32 workers on
    // PostgreSQL (commits were still in flight when the slots were counted); four let a claim take
    // every free worker. A node thus holds at most five times its workers: those storing have run,
    // and a crash leaves them to be run again when their lease ends, as any claimed run.
    private const int StoringPerWorker = 4;

    private readonly ConcurrentDictionary<long, RunAttempt> _active = new();
    private readonly IReadOnlyDictionary<string, int> _namespaceLimits = options.NamespaceRunningLimits();
    private readonly WorkerSlots _slots = new(options.Workers);
    private Action? _wakeOnReturn; // WakeIfFull, as one delegate for every attempt.
    private volatile bool _full; // The last pass stopped because no worker was idle.
    private int _claimedAhead;
    private long _started;

    /// <summary>Runs this node has taken since it started: a count that moves while the node works.</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Runs this node holds: waiting for their due time or a worker slot, running, or storing their outcome.</summary>
    public int ActiveCount => _active.Count;

    /// <summary>A failing claim is retried within the idle recheck, as a quiet queue is looked at again.</summary>
    protected override Backoff Backoff => Backoff.UpTo(options.IdleRecheck);

    /// <summary>
    /// Claims due runs until a claim comes back short, then the runs due within <see cref="ClaimAhead"/>,
    /// then says when to look again. The claim loop stays inside one pass, so the base's bookkeeping
    /// costs once per sleep, not per claim. (Not a pooled state machine: in the throughput benchmark
    /// the pooling builder kept the finalizer thread busy with DynamicResolver finalizers, ~1.5 s of
    /// CPU per 60,000 runs.)
    /// </summary>
    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        // Runs whose outcomes were committed together finish together: yield once so they free
        // their slots before the next claim, which is then one claim instead of many.
        await Task.Yield();
        while (true)
        {
            // Due runs held (running, waiting for a slot, or storing their outcome) count against the
            // workers; runs claimed ahead count from their due time. Runs storing their outcome count
            // only beyond StoringPerWorker × the workers: the next runs are claimed and start while
            // group commits are in flight (on PostgreSQL a commit waits for a disk flush, ~3.5 ms
            // here, which would otherwise leave every worker idle).
            var storing = Math.Min(_slots.Storing, options.Workers * StoringPerWorker);
            var idle = options.Workers - (_active.Count - Volatile.Read(ref _claimedAhead) - storing);
            var now = Time.GetUtcNow();
            _full = idle <= 0;
            if (_full)
            {
                return now + options.IdleRecheck; // Full: a finishing run wakes us.
            }
            var wanted = Math.Min(idle, MaxClaim);
            if (await ClaimAsync(now, dueBy: now, wanted, stopping).ConfigureAwait(false) == wanted)
            {
                // Claimed all it asked for: there may be more due runs waiting. The runs just claimed
                // are queued on the thread pool ahead of this yield, so the free slots are counted
                // once they have begun (a quick one has ended). Counted at once, the next claim got
                // only the slots the one before left, and claims alternated between two halves of
                // the workers: twice the transactions per run (docs/benchmarks.md).
                await Task.Yield();
                continue;
            }
            var nextDue = await store.GetNextQueuedDueAsync(now, stopping).ConfigureAwait(false);
            var room = MaxClaimedAhead - Volatile.Read(ref _claimedAhead);
            if (nextDue is null || nextDue <= now + MinLead || nextDue > now + ClaimAhead || room <= 0)
            {
                return WhenToClaim(nextDue, now);
            }
            var ahead = Math.Min(room, MaxClaim);
            if (await ClaimAsync(now, dueBy: now + ClaimAhead, ahead, stopping, dueAfter: now + MinLead).ConfigureAwait(false) == ahead)
            {
                continue;
            }
            // Runs due within the lead were passed over: the next look is at the earliest of them, if any.
            return WhenToClaim(await store.GetNextQueuedDueAsync(now, stopping).ConfigureAwait(false), now);
        }
    }

    private async Task<int> ClaimAsync(DateTimeOffset now, DateTimeOffset dueBy, int wanted, CancellationToken stopping, DateTimeOffset? dueAfter = null)
    {
        var claimed = await store.ClaimAsync(
            new ClaimRequest(options.NodeId, now, now + options.LeaseDuration, wanted, options.QueueLimits, options.ExecutorLimits)
            {
                DueBy = dueBy,
                DueAfter = dueAfter,
                NamespaceLimits = _namespaceLimits,
            },
            stopping).ConfigureAwait(false);
        foreach (var run in claimed)
        {
            Start(run);
        }
        return claimed.Count;
    }

    /// <summary>
    /// When to claim again: <see cref="ClaimAhead"/> before the next due time (at it, when it is within
    /// <see cref="MinLead"/>), if that comes within the idle recheck. Runs due already but not claimed
    /// (a limit reached) wait for a slot or run to free.
    /// </summary>
    private DateTimeOffset WhenToClaim(DateTimeOffset? nextDue, DateTimeOffset claimedAt)
    {
        var recheck = Time.GetUtcNow() + options.IdleRecheck;
        if (nextDue is not { } due)
        {
            return recheck;
        }
        // Within the lead: claimed as due, at its due time. Within the window but not claimed ahead
        // (a limit, or no room): a finishing run wakes us.
        var at = due <= claimedAt + MinLead ? due : due - ClaimAhead;
        return at > claimedAt && at < recheck ? at : recheck;
    }

    private void Start(Model.RunRecord run)
    {
        var attempt = attemptFactory(run);
        _active[run.Id] = attempt;
        Interlocked.Increment(ref _started);
        var early = run.DueAt > Time.GetUtcNow();
        if (early)
        {
            Interlocked.Increment(ref _claimedAhead);
        }
        // On the thread pool: an attempt runs synchronously up to its first await (a quick handler
        // runs whole), and claimed runs should start side by side, not one after the other here.
        ThreadPool.UnsafeQueueUserWorkItem(static a => _ = a.Dispatcher.RunAttemptAsync(a.Attempt, a.Early), (Dispatcher: this, Attempt: attempt, Early: early), preferLocal: false);
    }

    /// <summary>
    /// An executor returned: its outcome is being stored, which frees room for a claim only when the
    /// last pass found none. Otherwise the pass after the outcome's commit is the one that matters,
    /// and a wake here would only cost a claim and a next-due query per run on a quiet queue.
    /// </summary>
    private void WakeIfFull()
    {
        if (_full)
        {
            Wake();
        }
    }

    private async Task RunAttemptAsync(RunAttempt attempt, bool early)
    {
        var ticket = _slots.Take(_wakeOnReturn ??= WakeIfFull);
        try
        {
            if (early)
            {
                await attempt.WaitUntilDueAsync().ConfigureAwait(false);
                Interlocked.Decrement(ref _claimedAhead);
            }
            await attempt.RunAsync(ticket).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Run {RunId} failed outside its executor", attempt.Run.Id);
        }
        finally
        {
            // Only this attempt's entry: the run may have been rescued and claimed again by this node
            // while this attempt was ending, and the new attempt must stay held (and heartbeated).
            ticket.Finish(); // Before the removal: for a moment the run counts as held, never as neither.
            _active.TryRemove(KeyValuePair.Create(attempt.Run.Id, attempt));
            Wake();
        }
    }

    /// <summary>Renews this node's leases; stops runs whose cancel was requested or whose lease was lost (<see cref="LeaseHeartbeat"/>, and at once when another node asks).</summary>
    internal async Task BeatAsync(CancellationToken cancellationToken)
    {
        var ids = _active.Keys.ToList();
        if (ids.Count == 0)
        {
            return;
        }
        var renewal = await store.RenewLeasesAsync(options.NodeId, ids, Time.GetUtcNow() + options.LeaseDuration, cancellationToken).ConfigureAwait(false);
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
                Logger.LogWarning("Run {RunId} lost its lease; stopping it here", id);
                attempt.Cancel(CancelReason.LeaseLost);
            }
        }
        foreach (var attempt in _active.Values)
        {
            await attempt.FlushLogAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Shutdown: gives back at once the runs claimed ahead that have not begun, waits for running
    /// attempts up to the grace period, then hands the rest back to the queue.
    /// </summary>
    public async Task DrainAsync()
    {
        var unbegun = _active.Values.Where(a => !a.HasBegun).ToList();
        foreach (var attempt in unbegun)
        {
            attempt.Cancel(CancelReason.Shutdown);
        }
        if (unbegun.Count > 0)
        {
            await store.UnclaimAsync(options.NodeId, unbegun.Select(a => a.Run.Id).ToList(), "the node shut down before the run was due",
                Time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        var running = _active.Values.Select(a => a.Completion).ToList();
        var all = Task.WhenAll(running);
        await Task.WhenAny(all, Task.Delay(options.ShutdownGrace, Time)).ConfigureAwait(false);
        var left = _active.Values.Where(a => !unbegun.Contains(a)).ToList();
        foreach (var attempt in left)
        {
            attempt.Cancel(CancelReason.Shutdown);
        }
        if (left.Count > 0)
        {
            await store.ReleaseAsync(options.NodeId, left.Select(a => a.Run.Id).ToList(), "the node shut down while the run was running",
                Time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
    }
}
