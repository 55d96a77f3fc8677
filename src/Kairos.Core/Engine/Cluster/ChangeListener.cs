using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine.Cluster;

/// <summary>
/// Hears what other nodes change (PostgreSQL LISTEN/NOTIFY through <see cref="IKairosStore.ListenAsync"/>)
/// and wakes this node's loops at once, instead of at their next idle recheck. Listens again after
/// a lost connection; the store then reports everything as changed.
/// </summary>
internal sealed class ChangeListener(IKairosStore store, Action<StoreChanges> onChange, TimeProvider time, ILogger logger)
{
    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await store.ListenAsync(onChange, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Listening for other nodes' changes failed; listening again in 1 s");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
