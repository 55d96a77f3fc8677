using Kairos.Storage;

namespace Kairos.Engine.Cluster;

/// <summary>
/// Who leads the cluster (Oban's peer): a node checks in, bids for or renews the leadership, and
/// leaves. <see cref="DatabaseLeadership"/> keeps it in the database every node shares.
/// </summary>
internal interface ILeadership
{
    /// <summary>Records that the node is alive now.</summary>
    Task CheckInAsync(NodeInfo node, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Takes or keeps the leadership until <paramref name="until"/>; false while another node holds it.</summary>
    Task<bool> TryLeadAsync(string nodeId, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Leaves the cluster on purpose, giving the leadership up at once.</summary>
    Task LeaveAsync(string nodeId, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// The leadership as a lease row in the store, by the rules of <see cref="Leadership"/>. Check-ins
/// are urgent writes: a leader whose renewal waited behind a burst of writes would step down.
/// </summary>
internal sealed class DatabaseLeadership(IKairosStore store) : ILeadership
{
    public Task CheckInAsync(NodeInfo node, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Leadership.CheckInAsync(tx, node, now), cancellationToken, urgent: true);

    public Task<bool> TryLeadAsync(string nodeId, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Leadership.TryLeadAsync(tx, nodeId, now, until), cancellationToken, urgent: true);

    public Task LeaveAsync(string nodeId, DateTimeOffset now, CancellationToken cancellationToken) =>
        store.WriteAsync(tx => Leadership.LeaveAsync(tx, nodeId, now), cancellationToken);
}
