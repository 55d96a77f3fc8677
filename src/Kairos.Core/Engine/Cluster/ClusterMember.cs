using System.Reflection;
using Kairos.Engine.Services;
using Kairos.Hosting;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine.Cluster;

/// <summary>
/// This node's membership of the cluster. Every third of <see cref="KairosOptions.LeaderLease"/> it
/// re-measures the database clock, checks in (the node list's "last seen") and takes or renews the
/// leadership lease. While it leads it runs the leader services (<see cref="ILeaderService"/>: the
/// loops that must run once in the cluster, such as time triggers, poll triggers and retention) and
/// stops them as soon as it loses the lease, or cannot renew it in time. A leader that dies stops renewing; another node takes over once the
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
    ILeadership leadership,
    KairosOptions options,
    DatabaseClock clock,
    IReadOnlyList<ILeaderService> leaderServices,
    ILogger logger)
    : EngineLoop("Cluster check-in", clock, logger)
{
    private static readonly string Version =
        typeof(ClusterMember).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    private readonly DatabaseClock _clock = clock; // Kept apart from the base's Time: the check-in also re-measures it.
    private CancellationTokenSource? _leading;
    private Task _leaderWork = Task.CompletedTask;
    private DateTimeOffset _leaseUntil;
    private NodeInfo? _node;

    public bool IsLeader => _leading is not null;

    /// <summary>The leader resigned: check in (and bid for the leadership) now rather than at the next interval.</summary>
    public void CheckInNow() => Wake();

    private TimeSpan RenewEvery => options.LeaderLease / 3;

    /// <summary>
    /// A failed check-in is retried within one renewal interval, never later: a leader that fails
    /// sees before its lease ends that it cannot renew in time, and steps down.
    /// </summary>
    protected override Backoff Backoff => Backoff.UpTo(RenewEvery);

    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        _node ??= new NodeInfo(options.NodeId, Environment.MachineName, Version, _clock.GetUtcNow());
        try
        {
            await BeatAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception) when (!stopping.IsCancellationRequested && IsLeader && _clock.GetUtcNow() + RenewEvery >= _leaseUntil)
        {
            // The base logs the failure and retries; the next retry may come after the lease ends.
            Logger.LogWarning("Node {Node} cannot renew its leadership before the lease ends; stepping down", options.NodeId);
            await StepDownAsync().ConfigureAwait(false);
            throw;
        }
        return _clock.GetUtcNow() + RenewEvery;
    }

    /// <summary>Stopping: the leader's work stops, and the node leaves the list and gives the leadership up.</summary>
    protected override async Task OnStoppedAsync()
    {
        await StepDownAsync().ConfigureAwait(false);
        await LeaveAsync().ConfigureAwait(false);
    }

    private async Task BeatAsync(CancellationToken stopping)
    {
        await _clock.SyncAsync(store, stopping).ConfigureAwait(false);
        var now = _clock.GetUtcNow();
        await leadership.CheckInAsync(_node!, now, stopping).ConfigureAwait(false);
        var until = now + options.LeaderLease;
        if (await leadership.TryLeadAsync(options.NodeId, now, until, stopping).ConfigureAwait(false))
        {
            _leaseUntil = until;
            if (!IsLeader)
            {
                Logger.LogInformation("Node {Node} leads the cluster: it runs {Services}", options.NodeId, string.Join(", ", leaderServices.Select(s => s.Name)));
                _leading = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                var token = _leading.Token;
                _leaderWork = Task.WhenAll(leaderServices.Select(s => Task.Run(() => s.RunAsync(token), CancellationToken.None)));
            }
        }
        else if (IsLeader)
        {
            Logger.LogWarning("Node {Node} lost the leadership to another node", options.NodeId);
            await StepDownAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the leader services and waits for them (they never throw: <see cref="ILeaderService.RunAsync"/>).</summary>
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
            await leadership.LeaveAsync(options.NodeId, _clock.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.LogWarning(ex, "Node {Node} could not leave the cluster cleanly; its leadership lapses with its lease", options.NodeId);
        }
    }
}
