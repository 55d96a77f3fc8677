namespace Kairos.Engine.Cluster;

/// <summary>A node of the cluster as the API shows it. Alive: it checked in within the last leadership lease.</summary>
public sealed record ClusterNode(string Id, string Host, string Version, DateTimeOffset StartedAt, DateTimeOffset LastSeenAt, bool Leader, bool Alive);
