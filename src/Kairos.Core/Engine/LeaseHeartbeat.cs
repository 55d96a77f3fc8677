using Kairos.Engine.Services;
using Kairos.Hosting;
using Microsoft.Extensions.Logging;

namespace Kairos.Engine;

/// <summary>
/// Renews the leases of the runs running on this node every third of the lease duration, so two
/// renewals can fail before a lease runs out; the same write says which runs were asked to cancel.
/// A failed renewal is retried sooner, never later than the next regular one.
/// </summary>
internal sealed class LeaseHeartbeat(RunDispatcher dispatcher, KairosOptions options, TimeProvider time, ILogger logger)
    : EngineLoop("Lease heartbeat", time, logger)
{
    protected override Backoff Backoff => Backoff.UpTo(options.LeaseDuration / 3);

    protected override async ValueTask<DateTimeOffset?> RunPassAsync(CancellationToken stopping)
    {
        await dispatcher.BeatAsync(stopping).ConfigureAwait(false);
        return Time.GetUtcNow() + options.LeaseDuration / 3;
    }
}
