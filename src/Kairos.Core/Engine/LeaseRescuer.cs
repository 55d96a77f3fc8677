using Kairos.Engine.Services;
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
    : EngineLoop("Lease rescuer", time, logger)
{
    protected override Backoff Backoff => Backoff.UpTo(options.LeaseDuration / 2);

    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        await RescueAsync(stopping).ConfigureAwait(false);
        return Time.GetUtcNow() + options.LeaseDuration / 2;
    }

    public async Task<int> RescueAsync(CancellationToken cancellationToken)
    {
        var rescued = await store.RescueExpiredAsync(Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (rescued > 0)
        {
            Logger.LogWarning("Re-queued {Count} run(s) whose lease expired", rescued);
            wakeDispatcher();
        }
        return rescued;
    }
}
