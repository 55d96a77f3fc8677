using System.Reflection;
using Kairos.Hosting;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine.Cluster;

/// <summary>
/// This node's membership of the cluster. Every third of <see cref="KairosOptions.LeaderLease"/> it
/// re-measures the database clock, checks in (the node list's "last seen") and takes or renews the
/// leadership lease. While it leads it runs the leader's work — the loops that must run once in
/// the cluster (time triggers, poll triggers) — and stops it as soon as it loses the lease, or
/// cannot renew it in time. A leader that dies stops renewing; another node takes over once the
/// lease runs out, so a fail-over takes at most one lease plus one renewal interval. Stopping on
/// purpose gives the lease up, so another node takes over at its next check-in.
/// <para>
/// Two leaders at once (a stalled node waking up) cannot fire a tick twice: a fire is conditional
/// on the trigger's stored next fire time. Leadership saves the duplicate work; it is not what
/// makes a tick fire once.
/// </para>
/// </summary>
internal sealed class ClusterMember(
    IKairosStore store,
    KairosOptions options,
    DatabaseClock clock,
    Func<CancellationToken, Task> leaderWork,
    ILogger logger)
{
    private static readonly string Version =
        typeof(ClusterMember).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    private readonly WakeSignal _checkInNow = new();
    private CancellationTokenSource? _leading;
    private Task _leaderWork = Task.CompletedTask;
    private DateTimeOffset _leaseUntil;
    private NodeInfo? _node;

    public bool IsLeader => _leading is not null;

    /// <summary>The leader resigned: check in (and bid for the leadership) now rather than at the next interval.</summary>
    public void CheckInNow() => _checkInNow.Set();

    private TimeSpan RenewEvery => options.LeaderLease / 3;

    public async Task RunAsync(CancellationToken stopping)
    {
        _node = new NodeInfo(options.NodeId, Environment.MachineName, Version, clock.GetUtcNow());
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await BeatAsync(stopping).ConfigureAwait(false);
                await _checkInNow.WaitAsync(RenewEvery, clock, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Cluster check-in failed");
                if (IsLeader && clock.GetUtcNow() + RenewEvery >= _leaseUntil)
                {
                    logger.LogWarning("Node {Node} cannot renew its leadership before the lease ends; stepping down", options.NodeId);
                    await StepDownAsync().ConfigureAwait(false);
                }
                await Task.Delay(TimeSpan.FromSeconds(1), clock, CancellationToken.None).ConfigureAwait(false);
            }
        }
        await StepDownAsync().ConfigureAwait(false);
        await LeaveAsync().ConfigureAwait(false);
    }

    private async Task BeatAsync(CancellationToken stopping)
    {
        await clock.SyncAsync(store, stopping).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        await store.RecordNodeAsync(_node!, now, stopping).ConfigureAwait(false);
        var until = now + options.LeaderLease;
        if (await store.TryLeadAsync(options.NodeId, now, until, stopping).ConfigureAwait(false))
        {
            _leaseUntil = until;
            if (!IsLeader)
            {
                logger.LogInformation("Node {Node} leads the cluster: it fires time and poll triggers", options.NodeId);
                _leading = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                var token = _leading.Token;
                _leaderWork = Task.Run(() => leaderWork(token), CancellationToken.None);
            }
        }
        else if (IsLeader)
        {
            logger.LogWarning("Node {Node} lost the leadership to another node", options.NodeId);
            await StepDownAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the leader's work. Never throws: the check-in loop must go on whatever that work ended with.</summary>
    private async Task StepDownAsync()
    {
        if (_leading is not { } leading)
        {
            return;
        }
        try
        {
            await leading.CancelAsync().ConfigureAwait(false);
            await _leaderWork.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The leader's work ended by cancellation, as asked.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "The leader's work failed while stopping");
        }
        finally
        {
            leading.Dispose();
            _leading = null;
        }
    }

    /// <summary>Leaves the node list and gives the leadership up, so another node need not wait for the lease to run out.</summary>
    private async Task LeaveAsync()
    {
        try
        {
            await store.RemoveNodeAsync(options.NodeId, clock.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Node {Node} could not leave the cluster cleanly; its leadership lapses with its lease", options.NodeId);
        }
    }
}
