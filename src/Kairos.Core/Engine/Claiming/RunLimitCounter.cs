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
    // Null unless a namespace has a limit: then a namespace is worked out from each job's name.
    private readonly Dictionary<string, long>? _namespaces;

    public RunLimitCounter(IEnumerable<RunningCount> running, bool countNamespaces)
    {
        _namespaces = countNamespaces ? new(StringComparer.Ordinal) : null;
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
        if (_namespaces is not null)
        {
            var ns = Namespaces.Of(job);
            _namespaces[ns] = _namespaces.GetValueOrDefault(ns) + count;
        }
    }

    /// <summary>Counts one more run of this job, queue, kind and namespace if every limit allows it.</summary>
    public bool TryTake(string job, string queue, string kind, long? maxInstances, ClaimRequest request)
    {
        if ((maxInstances is { } max && _jobs.GetValueOrDefault(job) >= max)
            || (request.QueueLimits.TryGetValue(queue, out var queueLimit) && _queues.GetValueOrDefault(queue) >= queueLimit)
            || (request.ExecutorKindLimits.TryGetValue(kind, out var kindLimit) && _kinds.GetValueOrDefault(kind) >= kindLimit)
            || (_namespaces is not null && Namespaces.Of(job) is var ns && request.NamespaceLimits.TryGetValue(ns, out var nsLimit)
                && _namespaces.GetValueOrDefault(ns) >= nsLimit))
        {
            return false;
        }
        Add(job, queue, kind, 1);
        return true;
    }
}
