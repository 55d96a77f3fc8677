using Kairos.Access;
using Kairos.Engine;
using Kairos.Engine.Cluster;
using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Client;

/// <summary>
/// <see cref="IKairosClient"/> over one <see cref="KairosEngine"/>. Writes that wake or tell the
/// engine's machinery (enqueue, cancel, retry, save a job, publish) go through the engine; reads and
/// writes with no effect on it go to the store, stamped with the engine's clock, never the node's.
/// <para>
/// Authorization lives here: every caller outside Core reaches the engine through this class, so
/// what depends on who asks (declaring commands, managing keys) is checked against <see cref="Caller"/>.
/// The server also refuses a request whose key lacks the endpoint's scope before reading its body.
/// </para>
/// </summary>
internal sealed partial class KairosClient(KairosEngine engine, KairosCaller caller) : IKairosClient
{
    private IKairosStore Store => engine.Store;

    public TimeProvider Clock => engine.Clock;

    public Task SaveJobAsync(JobDefinition job, CancellationToken cancellationToken = default)
    {
        Authorization.RequireMayDeclare(Caller, job);
        return engine.SaveJobAsync(job, cancellationToken);
    }

    public Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken = default) =>
        Store.GetJobAsync(name, cancellationToken);

    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken = default) =>
        Store.ListJobsAsync(cancellationToken);

    public Task<IReadOnlyList<TriggerState>> ListTriggersAsync(string? jobName = null, CancellationToken cancellationToken = default) =>
        Store.ListTriggersAsync(jobName, cancellationToken);

    public Task PauseJobAsync(string name, CancellationToken cancellationToken = default) =>
        engine.SetPausedAsync(name, paused: true, cancellationToken);

    public Task ResumeJobAsync(string name, CancellationToken cancellationToken = default) =>
        engine.SetPausedAsync(name, paused: false, cancellationToken);

    public Task<EnqueueResult> RunNowAsync(string jobName, string? payload = null, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        engine.RunNowAsync(jobName, payload, idempotencyKey, cancellationToken);

    public Task<EnqueueResult> RunAtAsync(string jobName, DateTimeOffset at, string? payload = null, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        engine.RunNowAsync(jobName, payload, idempotencyKey, cancellationToken, notBefore: at);

    public Task<EnqueueResult> EnqueueAsync(RunRequest request, CancellationToken cancellationToken = default) =>
        engine.EnqueueAsync(request, cancellationToken);

    public Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken = default) =>
        Store.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default) =>
        Store.ListRunsAsync(query, cancellationToken);

    public async Task<IReadOnlyList<RunLogLine>> GetRunLogAsync(long runId, CancellationToken cancellationToken = default)
    {
        await FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        return await Store.GetRunLogAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JournalEntry>> GetRunJournalAsync(long runId, CancellationToken cancellationToken = default)
    {
        await FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        return await Store.ListJournalAsync(new JournalQuery { RunId = runId }, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<JournalEntry>> ListJournalAsync(JournalQuery query, CancellationToken cancellationToken = default) =>
        Store.ListJournalAsync(query, cancellationToken);

    public Task<CancelResult> CancelRunAsync(long runId, CancellationToken cancellationToken = default) =>
        engine.CancelRunAsync(runId, cancellationToken);

    public Task<RunRecord> RetryRunAsync(long runId, CancellationToken cancellationToken = default) =>
        engine.RetryRunAsync(runId, cancellationToken);

    public Task<RunRecord?> WaitForRunAsync(long runId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        engine.WaitForRunAsync(runId, timeout, cancellationToken);

    public async Task<IReadOnlyList<RunRecord>> WaitForRunsAsync(IReadOnlyList<long> runIds, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = KairosEngine.Deadline(Clock.GetUtcNow(), timeout);
        var runs = new List<RunRecord>(runIds.Count);
        foreach (var id in runIds)
        {
            // Past the deadline the remaining runs are read once, not waited for.
            var left = deadline - Clock.GetUtcNow();
            var run = left > TimeSpan.Zero
                ? await engine.WaitForRunAsync(id, left, cancellationToken).ConfigureAwait(false)
                : await Store.GetRunAsync(id, cancellationToken).ConfigureAwait(false);
            if (run is not null)
            {
                runs.Add(run);
            }
        }
        return runs;
    }

    public Task<IReadOnlyList<ClusterNode>> ListNodesAsync(CancellationToken cancellationToken = default) =>
        engine.ListNodesAsync(cancellationToken);

    public Task<StoreStats> GetStatsAsync(CancellationToken cancellationToken = default) =>
        Store.GetStatsAsync(cancellationToken);

    public NodeStatus ThisNode => new(engine.Options.NodeId, engine.ActiveRuns, engine.IsLeader);

    public async Task<NodeStatus> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        await Store.GetNextQueuedDueAsync(cancellationToken).ConfigureAwait(false); // A cheap indexed read: proves the database answers.
        return ThisNode;
    }

    private async Task FindRunAsync(long runId, CancellationToken cancellationToken)
    {
        _ = await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"run {runId} does not exist");
    }
}
