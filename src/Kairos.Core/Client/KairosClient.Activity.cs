using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Client;

/// <summary>Recent activity for an overview, read through the paged run list (newest first) the store already offers.</summary>
internal sealed partial class KairosClient
{
    private const int ActivityPage = 1000;

    public async Task<RunActivity> GetRunActivityAsync(TimeSpan window, CancellationToken cancellationToken = default)
    {
        if (window < TimeSpan.FromMinutes(1) || window > TimeSpan.FromDays(1))
        {
            throw new KairosValidationException($"the activity window must be from 1 minute to 1 day, not {window}");
        }
        var now = Clock.GetUtcNow();
        var from = Minute(now - window + TimeSpan.FromMinutes(1));
        var minutes = (int)((Minute(now) - from).Ticks / TimeSpan.TicksPerMinute) + 1;
        var counts = new int[minutes, 3];
        var (read, partial, before) = (0, false, (long?)null);
        while (true)
        {
            var page = await Store.ListRunsAsync(new RunQuery { BeforeId = before, Limit = ActivityPage, Namespace = Namespace }, cancellationToken).ConfigureAwait(false);
            foreach (var run in page)
            {
                if (run.FinishedAt is { } finished && finished >= from && Outcome(run.State) is { } outcome)
                {
                    var minute = (int)((finished - from).Ticks / TimeSpan.TicksPerMinute);
                    counts[Math.Min(minute, minutes - 1), outcome]++;
                }
            }
            read += page.Count;
            if (page.Count < ActivityPage || page[^1].CreatedAt < from)
            {
                break;
            }
            if (read >= RunActivity.MaxRunsRead)
            {
                partial = true;
                break;
            }
            before = page[^1].Id;
        }
        var queued = await Store.ListRunsAsync(new RunQuery { State = RunState.Queued, Limit = RunActivity.MaxRunsRead, Namespace = Namespace }, cancellationToken).ConfigureAwait(false);
        var running = await Store.ListRunsAsync(new RunQuery { State = RunState.Running, Limit = RunActivity.MaxRunsRead, Namespace = Namespace }, cancellationToken).ConfigureAwait(false);
        return new RunActivity(
            from,
            now,
            Enumerable.Range(0, minutes).Select(i => new RunActivityMinute(from.AddMinutes(i), counts[i, 0], counts[i, 1], counts[i, 2])).ToList(),
            queued.GroupBy(r => r.Queue).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            running.Count,
            partial || queued.Count == RunActivity.MaxRunsRead);
    }

    private static DateTimeOffset Minute(DateTimeOffset time) => new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static int? Outcome(RunState state) => state switch
    {
        RunState.Succeeded => 0,
        RunState.Dead => 1,
        RunState.Cancelled or RunState.Skipped => 2,
        _ => null,
    };
}
