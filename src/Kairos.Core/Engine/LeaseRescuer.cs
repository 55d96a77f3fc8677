using Kairos.Hosting;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine;

/// <summary>
/// Re-queues runs whose lease expired: their node crashed, was killed or lost the database for
/// longer than a lease. The interrupted attempt counts; a run on its last attempt becomes dead.
/// Checks every half lease, so a dead node's runs are back in the queue within 1.5 leases.
/// </summary>
internal sealed class LeaseRescuer(IKairosStore store, KairosOptions options, TimeProvider time, Action wakeDispatcher, ILogger logger)
{
    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await RescueAsync(stopping).ConfigureAwait(false);
                await Task.Delay(options.LeaseDuration / 2, time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Lease rescuer failed");
                await Task.Delay(TimeSpan.FromSeconds(1), time, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    public async Task<int> RescueAsync(CancellationToken cancellationToken)
    {
        var rescued = await store.RescueExpiredAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (rescued > 0)
        {
            logger.LogWarning("Re-queued {Count} run(s) whose lease expired", rescued);
            wakeDispatcher();
        }
        return rescued;
    }
}
