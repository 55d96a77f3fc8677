using System.Collections.Concurrent;
using Kairos.Storage;

namespace Kairos.Engine;

/// <summary>
/// Job definitions cached by version. A claimed run carries the version of its job at claim time;
/// a cached copy with another version is reloaded, so an edit made on any node is seen by all.
/// </summary>
internal sealed class JobCatalog(IKairosStore store)
{
    private readonly ConcurrentDictionary<string, StoredJob> _jobs = new(StringComparer.Ordinal);

    public async ValueTask<StoredJob?> GetAsync(string name, long version, CancellationToken cancellationToken)
    {
        if (_jobs.TryGetValue(name, out var cached) && (version == 0 || cached.Version == version))
        {
            return cached;
        }
        var job = await store.GetJobAsync(name, cancellationToken).ConfigureAwait(false);
        if (job is not null)
        {
            _jobs[name] = job;
        }
        return job;
    }

    public void Forget(string name) => _jobs.TryRemove(name, out _);

    /// <summary>Another node changed some job: any cached copy may be stale.</summary>
    public void ForgetAll() => _jobs.Clear();
}
