using Kairos.Access;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Claiming;

/// <summary>Running runs per job, queue, executor kind and namespace, so a claim can stay within every limit.</summary>
internal sealed class RunLimitCounter
{
    private readonly Dictionary<string, long> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _queues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _kinds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _namespaces = new(StringComparer.Ordinal);

    public RunLimitCounter(IEnumerable<RunningCount> running)
    {
        foreach (var count in running)
        {
            Add(count.JobName, count.Queue, count.ExecutorKind, count.Count);
        }
    }

    private void Add(string job, string queue, string kind, long count)
    {
        _jobs[job] = _jobs.GetValueOrDefault(job) + count;
        _queues[queue] = _queues.GetValueOrDefault(queue) + count;
        _kinds[kind] = _kinds.GetValueOrDefault(kind) + count;
        var ns = Namespaces.Of(job);
        _namespaces[ns] = _namespaces.GetValueOrDefault(ns) + count;
    }

    /// <summary>Counts one more run of this job, queue, kind and namespace if every limit allows it.</summary>
    public bool TryTake(string job, string queue, string kind, long? maxInstances, ClaimRequest request)
    {
        if ((maxInstances is { } max && _jobs.GetValueOrDefault(job) >= max)
            || (request.QueueLimits.TryGetValue(queue, out var queueLimit) && _queues.GetValueOrDefault(queue) >= queueLimit)
            || (request.ExecutorKindLimits.TryGetValue(kind, out var kindLimit) && _kinds.GetValueOrDefault(kind) >= kindLimit)
            || (request.NamespaceLimits.Count > 0 && request.NamespaceLimits.TryGetValue(Namespaces.Of(job), out var nsLimit)
                && _namespaces.GetValueOrDefault(Namespaces.Of(job)) >= nsLimit))
        {
            return false;
        }
        Add(job, queue, kind, 1);
        return true;
    }
}
