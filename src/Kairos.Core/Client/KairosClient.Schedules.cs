using Kairos.Engine.Scheduling;
using Kairos.Model;

namespace Kairos.Client;

/// <summary>Schedules: the next fire times of a job, and backfilling past ones.</summary>
internal sealed partial class KairosClient
{
    public async Task<JobFireTimes> GetNextFireTimesAsync(string jobName, int count = 5, CancellationToken cancellationToken = default)
    {
        var name = JobHere(jobName);
        var job = await Store.GetJobAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"job '{jobName}' does not exist");
        return UpcomingFires.For(job, await Store.ListTriggersAsync(name, cancellationToken).ConfigureAwait(false), count);
    }

    public Task<BackfillResult> BackfillAsync(BackfillRequest request, CancellationToken cancellationToken = default) =>
        engine.BackfillAsync(request with { JobName = JobHere(request.JobName) }, cancellationToken);
}
