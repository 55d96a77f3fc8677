namespace Kairos.Engine.Services;

/// <summary>
/// Work that runs once in the cluster (Oban's plugins): <see cref="Cluster.ClusterMember"/> starts
/// every leader service when this node becomes the leader and cancels <c>leading</c> when it stops
/// leading (lost, cannot renew, or the engine stops). A service may therefore be started again
/// later on the same node, and, for a moment after a stalled leader wakes up, run on two nodes at
/// once: what it writes must stay right when that happens (a trigger fire is conditional, a delete
/// of old rows is idempotent).
/// </summary>
internal interface ILeaderService
{
    /// <summary>How logs name it.</summary>
    string Name { get; }

    /// <summary>Runs until <paramref name="leading"/> is cancelled; never throws.</summary>
    Task RunAsync(CancellationToken leading);
}
