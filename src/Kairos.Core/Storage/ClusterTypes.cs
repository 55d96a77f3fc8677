namespace Kairos.Storage;

/// <summary>What a node says of itself when it checks in.</summary>
internal sealed record NodeInfo(string Id, string Host, string Version, DateTimeOffset StartedAt);

/// <summary>A node as the cluster knows it: what it said of itself, when it last checked in, and whether it leads.</summary>
internal sealed record NodeRecord(string Id, string Host, string Version, DateTimeOffset StartedAt, DateTimeOffset LastSeenAt, bool Leader);

/// <summary>
/// What another node changed, as far as this node's sleeping loops care. A store shared by several
/// nodes announces its committed changes; every other node wakes the loops concerned.
/// </summary>
[Flags]
internal enum StoreChanges
{
    None = 0,

    /// <summary>Runs became claimable: enqueued, re-queued (retry, rescue, release) or a job resumed.</summary>
    Runs = 1,

    /// <summary>Triggers changed (a job saved or paused, a fixed-delay trigger rescheduled).</summary>
    Triggers = 2,

    /// <summary>A running run was asked to cancel.</summary>
    Cancels = 4,

    /// <summary>Job definitions changed: cached copies are stale.</summary>
    Jobs = 8,

    /// <summary>The leader gave the leadership up: another node can take it now.</summary>
    Leadership = 16,

    All = Runs | Triggers | Cancels | Jobs | Leadership,
}
