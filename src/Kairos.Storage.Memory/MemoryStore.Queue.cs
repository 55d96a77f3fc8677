using Kairos.Engine.Enqueueing;
using Kairos.Model;

namespace Kairos.Storage.Memory;

/// <summary>Enqueue: how runs enter the queue (the rules are <see cref="RunEnqueuer"/>'s; the rows are written by the transaction).</summary>
internal sealed partial class MemoryStore
{
    public Task<EnqueueResult> EnqueueAsync(RunRequest request, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(tx => RunEnqueuer.EnqueueAsync(tx, request, now), cancellationToken);

    /// <summary>
    /// A queued run its job lets start: a paused job's queued runs are held until it resumes (the
    /// SQL stores keep this as a "held" column, kept right by triggers; here it is decided when asked).
    /// </summary>
    private static bool Claimable(MemoryState state, RunRecord run) =>
        run.State == RunState.Queued && state.Jobs.TryGetValue(run.JobName, out var job) && !job.Settings.Paused;
}
