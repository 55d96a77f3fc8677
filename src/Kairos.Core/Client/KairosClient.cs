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
internal sealed partial class KairosClient(KairosEngine engine, KairosCaller caller, string? ns = null) : IKairosClient
{
    private IKairosStore Store => engine.Store;

    public TimeProvider Clock => engine.Clock;

    public async Task SaveJobAsync(JobDefinition job, CancellationToken cancellationToken = default)
    {
        job = Namespaces.Into(Namespace ?? Namespaces.Default, job);
        RequireHere(job.Name, "job");
        Authorization.RequireMayDeclare(Caller, job);
        await engine.SaveJobAsync(job, cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoredJob?> GetJobAsync(string name, CancellationToken cancellationToken = default) =>
        Here(name) is { } job ? await Store.GetJobAsync(job, cancellationToken).ConfigureAwait(false) : null;

    public async Task<IReadOnlyList<StoredJob>> ListJobsAsync(CancellationToken cancellationToken = default) =>
        (await Store.ListJobsAsync(cancellationToken).ConfigureAwait(false)).Where(j => Namespaces.Contains(Namespace, j.Definition.Name)).ToList();

    public Task<IReadOnlyList<StoredJob>> ListJobsAsync(JobQuery query, CancellationToken cancellationToken = default) =>
        Store.ListJobsAsync(query with { After = query.After is null || Namespace is null ? query.After : Namespaces.Qualify(Namespace, query.After), Namespace = Namespace },
            cancellationToken);

    public async Task<IReadOnlyList<TriggerState>> ListTriggersAsync(string? jobName = null, CancellationToken cancellationToken = default)
    {
        if (jobName is not null)
        {
            return Here(jobName) is { } job ? await Store.ListTriggersAsync(job, cancellationToken).ConfigureAwait(false) : [];
        }
        return (await Store.ListTriggersAsync(null, cancellationToken).ConfigureAwait(false)).Where(t => Namespaces.Contains(Namespace, t.JobName)).ToList();
    }

    public Task DeleteJobAsync(string name, bool cancelRuns = false, CancellationToken cancellationToken = default) =>
        engine.DeleteJobAsync(JobHere(name), cancelRuns, cancellationToken);

    public Task PauseJobAsync(string name, CancellationToken cancellationToken = default) =>
        engine.SetPausedAsync(JobHere(name), paused: true, cancellationToken);

    public Task ResumeJobAsync(string name, CancellationToken cancellationToken = default) =>
        engine.SetPausedAsync(JobHere(name), paused: false, cancellationToken);

    public Task<EnqueueResult> RunNowAsync(string jobName, string? payload = null, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        engine.RunNowAsync(JobHere(jobName), payload, idempotencyKey, cancellationToken);

    public Task<EnqueueResult> RunAtAsync(string jobName, DateTimeOffset at, string? payload = null, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        engine.RunNowAsync(JobHere(jobName), payload, idempotencyKey, cancellationToken, notBefore: at);

    public Task<EnqueueResult> EnqueueAsync(RunRequest request, CancellationToken cancellationToken = default) =>
        engine.EnqueueAsync(request with { JobName = JobHere(request.JobName) }, cancellationToken);

    public async Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        var run = await Store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        return run is not null && Namespaces.Contains(Namespace, run.JobName) ? run : null;
    }

    public async Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken = default)
    {
        if (query.Source is { } source && !TriggerSources.All.Contains(source))
        {
            throw new KairosValidationException($"source {InputText.Quote(source)} is unknown: use one of {string.Join(", ", TriggerSources.All)}");
        }
        if (query.From > query.To)
        {
            throw new KairosValidationException($"from ({query.From:O}) is after to ({query.To:O}): the range is from an instant up to a later one");
        }
        if (query.JobName is not null && Here(query.JobName) is null)
        {
            return [];
        }
        return await Store.ListRunsAsync(query with { JobName = query.JobName is null ? null : Here(query.JobName), Namespace = Namespace }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RunLogLine>> GetRunLogAsync(long runId, CancellationToken cancellationToken = default)
    {
        await FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        return await Store.GetRunLogAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RunLogLine>> GetRunLogAsync(long runId, RunLogQuery query, CancellationToken cancellationToken = default)
    {
        await FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var lines = await Store.GetRunLogAsync(runId, query, cancellationToken).ConfigureAwait(false);
        return lines.Select(l => RunLogWindow.Cut(l, query)).ToList();
    }

    public async Task<IReadOnlyList<JournalEntry>> GetRunJournalAsync(long runId, CancellationToken cancellationToken = default)
    {
        await FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        return await Store.ListJournalAsync(new JournalQuery { RunId = runId }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JournalEntry>> ListJournalAsync(JournalQuery query, CancellationToken cancellationToken = default)
    {
        if ((query.JobName is not null && Here(query.JobName) is null)
            || (query.RunId is { } runId && await GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is null))
        {
            return [];
        }
        return await Store.ListJournalAsync(query with { JobName = query.JobName is null ? null : Here(query.JobName), Namespace = Namespace }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<CancelResult> CancelRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        return await engine.CancelRunAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RunRecord> RetryRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
        return await engine.RetryRunAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RunRecord?> WaitForRunAsync(long runId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        await GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is null
            ? null
            : await engine.WaitForRunAsync(runId, timeout, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<RunRecord>> WaitForRunsAsync(IReadOnlyList<long> runIds, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = KairosEngine.Deadline(Clock.GetUtcNow(), timeout);
        var runs = new List<RunRecord>(runIds.Count);
        foreach (var id in runIds)
        {
            // Past the deadline the remaining runs are read once, not waited for.
            var left = deadline - Clock.GetUtcNow();
            var run = left > TimeSpan.Zero
                ? await WaitForRunAsync(id, left, cancellationToken).ConfigureAwait(false)
                : await GetRunAsync(id, cancellationToken).ConfigureAwait(false);
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
        Store.GetStatsAsync(Namespace, cancellationToken);

    public NodeStatus ThisNode => new(engine.Options.NodeId, engine.ActiveRuns, engine.IsLeader);

    public async Task<NodeStatus> CheckHealthAsync(CancellationToken cancellationToken = default)
    {
        await Store.GetNextQueuedDueAsync(null, cancellationToken).ConfigureAwait(false); // A cheap indexed read: proves the database answers.
        return ThisNode;
    }

    private async Task FindRunAsync(long runId, CancellationToken cancellationToken)
    {
        _ = await GetRunAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"run {runId} does not exist");
    }
}
