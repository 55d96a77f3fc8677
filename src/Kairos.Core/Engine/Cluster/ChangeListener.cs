using Kairos.Engine.Services;
using Kairos.Storage;
using Kairos.Storage.Drivers;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine.Cluster;

/// <summary>
/// Hears what other nodes change (PostgreSQL LISTEN/NOTIFY through the store's <see cref="INotifier"/>)
/// and wakes this node's loops at once, instead of at their next idle recheck. Listens again after
/// a lost connection, backing off while the database is away; the store then reports everything as changed.
/// </summary>
internal sealed class ChangeListener(INotifier notifier, Action<StoreChanges> onChange, TimeProvider time, ILogger logger)
    : EngineLoop("Change listener", time, logger)
{
    /// <summary>One pass listens until the stop or a lost connection (which throws); a listen that simply returns is started again at once.</summary>
    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        await notifier.ListenAsync(onChange, stopping).ConfigureAwait(false);
        return Time.GetUtcNow();
    }
}
