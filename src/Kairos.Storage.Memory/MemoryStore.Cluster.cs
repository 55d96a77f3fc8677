using Kairos.Storage.Drivers;

namespace Kairos.Storage.Memory;

/// <summary>
/// Nodes and leadership. One process owns the store, so this is a cluster of one: the node registers
/// and leads like any other, by the same rules (<see cref="Engine.Cluster.Leadership"/>).
/// </summary>
internal sealed partial class MemoryStore
{
    /// <summary>The store has no clock of its own: the node's clock is the time reference.</summary>
    public Task<DateTimeOffset?> GetDatabaseTimeAsync(CancellationToken cancellationToken) => Task.FromResult<DateTimeOffset?>(null);

    public Task<IReadOnlyList<NodeRecord>> ListNodesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<NodeRecord>>(state => state.Nodes.Values
            .OrderBy(n => n.StartedAt).ThenBy(n => n.Id, StringComparer.Ordinal)
            .Select(n => n with { Leader = state.Leader is { } l && l.Node == n.Id && l.ExpiresAt > Stored(now) }).ToList(), cancellationToken);

    public INotifier Notifier => SilentNotifier.Instance;

    private sealed partial class Transaction
    {
        public ValueTask SaveNodeAsync(NodeInfo node, DateTimeOffset now)
        {
            // A node checking in again keeps its first start time, as the SQL upsert keeps it.
            var record = State.Nodes.TryGetValue(node.Id, out var known)
                ? known with { Host = node.Host, Version = node.Version, LastSeenAt = Stored(now) }
                : new NodeRecord(node.Id, node.Host, node.Version, Stored(node.StartedAt), Stored(now), false);
            State = State with { Nodes = State.Nodes.SetItem(node.Id, record) };
            return ValueTask.CompletedTask;
        }

        public ValueTask<int> ForgetNodesSeenBeforeAsync(DateTimeOffset before)
        {
            var forgotten = State.Nodes.Values.Where(n => n.LastSeenAt < Stored(before)).Select(n => n.Id).ToList();
            State = State with { Nodes = State.Nodes.RemoveRange(forgotten) };
            return ValueTask.FromResult(forgotten.Count);
        }

        public ValueTask ForgetNodeAsync(string nodeId)
        {
            State = State with { Nodes = State.Nodes.Remove(nodeId) };
            return ValueTask.CompletedTask;
        }

        // One lease row (the only name in use is the leadership's).
        public ValueTask<(bool Taken, string? Previous)> TakeLeaseAsync(string name, string node, DateTimeOffset now, DateTimeOffset until)
        {
            var held = State.Leader;
            if (held is not null && held.Node != node && held.ExpiresAt > Stored(now))
            {
                return ValueTask.FromResult((false, (string?)null));
            }
            State = State with { Leader = new LeaderRow(node, Stored(until)) };
            return ValueTask.FromResult((true, held?.Node));
        }

        public ValueTask<bool> ReleaseLeaseAsync(string name, string node)
        {
            if (State.Leader?.Node != node)
            {
                return ValueTask.FromResult(false);
            }
            State = State with { Leader = null };
            return ValueTask.FromResult(true);
        }
    }
}
