namespace Kairos.Storage.Memory;

/// <summary>
/// Nodes and leadership. One process owns the store, so this is a cluster of one: the node registers
/// and leads like any other, by the same lease rules as the SQL stores (<see cref="ClusterRules"/>).
/// </summary>
public sealed partial class MemoryStore
{
    /// <summary>The store has no clock of its own: the node's clock is the time reference.</summary>
    public Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

    public Task RecordNodeAsync(NodeInfo node, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            var seen = Stored(now);
            // A node checking in again keeps its first start time, as the SQL upsert keeps it.
            var record = tx.State.Nodes.TryGetValue(node.Id, out var known)
                ? known with { Host = node.Host, Version = node.Version, LastSeenAt = seen }
                : new NodeRecord(node.Id, node.Host, node.Version, Stored(node.StartedAt), seen, false);
            var forgetBefore = Stored(now - ClusterRules.ForgetNodesAfter);
            var nodes = tx.State.Nodes.SetItem(node.Id, record);
            tx.State = tx.State with { Nodes = nodes.RemoveRange(nodes.Values.Where(n => n.LastSeenAt < forgetBefore).Select(n => n.Id).ToList()) };
            return true;
        });

    public Task RemoveNodeAsync(string nodeId, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            tx.State = tx.State with { Nodes = tx.State.Nodes.Remove(nodeId) };
            if (tx.State.Leader?.Node == nodeId)
            {
                tx.State = tx.State with { Leader = null };
                tx.Journal(now, "leader.resigned", null, null, null, ClusterRules.LeaderNote(nodeId, null));
            }
            return true;
        });

    public Task<IReadOnlyList<NodeRecord>> ListNodesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<NodeRecord>>(state => state.Nodes.Values
            .OrderBy(n => n.StartedAt).ThenBy(n => n.Id, StringComparer.Ordinal)
            .Select(n => n with { Leader = state.Leader is { } l && l.Node == n.Id && l.ExpiresAt > Stored(now) }).ToList(), cancellationToken);

    /// <summary>Taken when nobody holds the lease, this node does, or the holder's lease ran out; a change of leader is journaled.</summary>
    public Task<bool> TryLeadAsync(string nodeId, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            var held = tx.State.Leader;
            if (held is not null && held.Node != nodeId && held.ExpiresAt > Stored(now))
            {
                return false;
            }
            tx.State = tx.State with { Leader = new LeaderRow(nodeId, Stored(until)) };
            if (held?.Node != nodeId)
            {
                tx.Journal(now, "leader.elected", null, null, null, ClusterRules.LeaderNote(nodeId, held?.Node));
            }
            return true;
        });

    /// <summary>No other process writes to this store: there is nothing to hear.</summary>
    public Task ListenAsync(Action<StoreChanges> onChange, CancellationToken stopping) => Task.Delay(Timeout.Infinite, stopping);
}
