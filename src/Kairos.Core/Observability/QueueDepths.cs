using System.Diagnostics.Metrics;
using Kairos.Storage;
using Microsoft.Extensions.Logging;

namespace Kairos.Observability;

/// <summary>
/// Queued runs by queue for the <c>kairos.queue.depth</c> gauge, read from the database at most once
/// per <see cref="MaxAge"/> however often and by however many collectors it is asked: a scrape must
/// not cost a query per instrument or per scraper. A queue seen once is reported (0) after it empties,
/// so its series does not vanish. A failed read keeps the last numbers and is logged.
/// </summary>
internal sealed class QueueDepths(IKairosStore store, TimeProvider time, ILogger logger)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private Dictionary<string, long> _depths = new(StringComparer.Ordinal);
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;
    private Task? _reading;

    /// <summary>Reads the depths again when the last read is older than <see cref="MaxAge"/>; callers at the same time share one read.</summary>
    public Task RefreshAsync()
    {
        lock (_gate)
        {
            if (_reading is { IsCompleted: false } running)
            {
                return running;
            }
            if (time.GetUtcNow() - _readAt < MaxAge)
            {
                return Task.CompletedTask;
            }
            return _reading = ReadAsync();
        }
    }

    /// <summary>The gauge's callback: the last numbers, and a read in the background when they are stale (a collector that does not await <see cref="RefreshAsync"/>).</summary>
    public IEnumerable<Measurement<long>> Observe()
    {
        _ = RefreshAsync();
        lock (_gate)
        {
            return _depths.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("queue", d.Key))).ToList();
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            var counts = await store.CountQueuedRunsByQueueAsync(CancellationToken.None).ConfigureAwait(false);
            lock (_gate)
            {
                var next = _depths.Keys.ToDictionary(queue => queue, _ => 0L, StringComparer.Ordinal);
                foreach (var (queue, count) in counts)
                {
                    next[queue] = count;
                }
                (_depths, _readAt) = (next, time.GetUtcNow());
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Reading the queue depths for the metrics failed; the last numbers stand");
        }
    }
}
