namespace Kairos.Hosting;

/// <summary>
/// Limits for the jobs of one namespace (see <see cref="Access.Namespaces"/>), so one namespace's
/// backlog cannot take every worker of the cluster from the others.
/// </summary>
public sealed class NamespaceOptions
{
    /// <summary>The largest <see cref="MaxRunning"/>, as for queue and executor limits.</summary>
    public const int MaxLimit = 100_000;

    /// <summary>
    /// Most runs of the namespace's jobs running at once, over all nodes (0 holds them all). Null
    /// (the default): no limit beyond the job, queue and executor-kind limits.
    /// </summary>
    public int? MaxRunning { get; set; }
}
