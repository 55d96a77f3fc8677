using System.Text.Json.Nodes;
using Kairos.Executors;

namespace Kairos.Cli.Bench;

/// <summary>
/// The handler of the cron-latency benchmark: records, for each run it starts, the fire time it was
/// scheduled for (payload.scheduledAt) and how late the handler started after it.
/// </summary>
internal sealed class LatenessRecorder
{
    private readonly List<(DateTimeOffset ScheduledAt, double LatenessMs)> _records = [];

    public Task<JsonNode?> HandleAsync(JobContext context)
    {
        var started = TimeProvider.System.GetUtcNow();
        var scheduled = context.Payload.GetProperty("scheduledAt").GetDateTimeOffset();
        lock (_records)
        {
            _records.Add((scheduled, (started - scheduled).TotalMilliseconds));
        }
        return Task.FromResult<JsonNode?>(null);
    }

    /// <summary>Lateness of the fires scheduled in [from, to), sorted ascending.</summary>
    public List<double> LatenessBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_records)
        {
            return _records.Where(r => r.ScheduledAt >= from && r.ScheduledAt < to).Select(r => r.LatenessMs).Order().ToList();
        }
    }
}
