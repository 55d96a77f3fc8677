namespace Kairos.Client;

/// <summary>This node as it is now: its id, the runs it executes and whether it leads the cluster (fires time and poll triggers).</summary>
public sealed record NodeStatus(string Node, int ActiveRuns, bool Leader);
