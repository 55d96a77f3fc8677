using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Cluster;

/// <summary>
/// The cluster's membership and leadership rules, for every driver. A node checks in (and nodes not
/// seen for <see cref="ClusterRules.ForgetNodesAfter"/> are forgotten); the leadership is one lease
/// row that a node takes when nobody holds it or the holder's lease ran out, and renews while it
/// holds it; a change of holder is journaled (<c>leader.elected</c>, <c>leader.resigned</c>).
/// </summary>
internal static class Leadership
{
    /// <summary>Records that the node is alive now and forgets nodes long silent.</summary>
    public static async ValueTask<int> CheckInAsync(IDriverTransaction tx, NodeInfo node, DateTimeOffset now)
    {
        await tx.SaveNodeAsync(node, now).ConfigureAwait(false);
        return await tx.ForgetNodesSeenBeforeAsync(now - ClusterRules.ForgetNodesAfter).ConfigureAwait(false);
    }

    /// <summary>Takes or keeps the leadership until <paramref name="until"/>; false while another node's lease runs.</summary>
    public static async ValueTask<bool> TryLeadAsync(IDriverTransaction tx, string nodeId, DateTimeOffset now, DateTimeOffset until)
    {
        var (taken, previous) = await tx.TakeLeaseAsync(ClusterRules.Leadership, nodeId, now, until).ConfigureAwait(false);
        if (taken && previous != nodeId)
        {
            await tx.AppendJournalAsync(now, "leader.elected", null, null, null, ClusterRules.LeaderNote(nodeId, previous)).ConfigureAwait(false);
        }
        return taken;
    }

    /// <summary>A node leaving on purpose: it leaves the node list and gives up its leadership, so another node can lead at once.</summary>
    public static async ValueTask<bool> LeaveAsync(IDriverTransaction tx, string nodeId, DateTimeOffset now)
    {
        await tx.ForgetNodeAsync(nodeId).ConfigureAwait(false);
        if (!await tx.ReleaseLeaseAsync(ClusterRules.Leadership, nodeId).ConfigureAwait(false))
        {
            return false;
        }
        await tx.AppendJournalAsync(now, "leader.resigned", null, null, null, ClusterRules.LeaderNote(nodeId, null)).ConfigureAwait(false);
        return true;
    }
}
