using System.Globalization;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Claiming;

/// <summary>
/// Claiming: the dispatcher takes due runs in order priority → due time → id, skipping runs of
/// paused jobs, within every limit (a job's max instances, per-queue, per-executor-kind and
/// per-namespace limits, a run's concurrency keys (<see cref="Flow.ConcurrencySlots"/>), counted over
/// the running runs of every node), marks them running under its lease and journals
/// run.started, in one transaction.
/// <para>
/// Limits are checked only for candidates they apply to. The running runs are counted (once per
/// claim) after <see cref="IDriverTransaction.LockClaimLimitsAsync"/>, which makes claims that
/// check limits take turns across nodes, so each counts the runs the previous one claimed. A claim
/// that meets no limit takes no such lock and runs alongside the others.
/// </para>
/// </summary>
internal static class RunClaims
{
    // Bounds the candidates one claim looks at when limits turn many of them down.
    private const int MaxCandidatesScanned = 4096;

    public static async ValueTask<IReadOnlyList<Model.RunRecord>> ClaimAsync(IDriverTransaction tx, ClaimRequest request)
    {
        if (request.MaxRuns <= 0)
        {
            return [];
        }
        await tx.BeginClaimAsync().ConfigureAwait(false);
        var chosen = new List<ClaimCandidate>(request.MaxRuns);
        RunLimitCounter? running = null; // Counted on first need: with no limit in play, not at all.
        Flow.ConcurrencyKeyCounter? keys = null; // The same, for runs with concurrency keys.
        var scanned = 0;
        ClaimCandidate? after = null;
        // The first page is exactly what is missing, as when no limit turns a run down; pages after
        // it (limits did) double, up to a bound.
        var pageSize = request.MaxRuns;
        while (chosen.Count < request.MaxRuns && scanned < MaxCandidatesScanned)
        {
            var page = await tx.ReadClaimCandidatesAsync(request.DueBy ?? request.Now, after, pageSize).ConfigureAwait(false);
            scanned += page.Count;
            foreach (var candidate in page)
            {
                if (chosen.Count == request.MaxRuns)
                {
                    break;
                }
                if (candidate.DueAt <= request.DueAfter)
                {
                    continue;
                }
                if (!LimitsApply(candidate, request))
                {
                    chosen.Add(candidate);
                    continue;
                }
                if (running is null)
                {
                    await tx.LockClaimLimitsAsync().ConfigureAwait(false);
                    running = new RunLimitCounter(await tx.CountRunningRunsAsync().ConfigureAwait(false), countNamespaces: request.NamespaceLimits.Count > 0);
                }
                if (candidate.FlowKeys is { } flowKeys)
                {
                    keys ??= new Flow.ConcurrencyKeyCounter(await tx.ListRunningFlowKeysAsync().ConfigureAwait(false));
                    if (!keys.Allows(flowKeys))
                    {
                        continue;
                    }
                }
                if (running.TryTake(candidate.JobName, candidate.Queue, candidate.ExecutorKind, candidate.MaxInstances, request))
                {
                    if (candidate.FlowKeys is { } taken)
                    {
                        keys!.Take(taken);
                    }
                    chosen.Add(candidate);
                }
            }
            if (page.Count < pageSize)
            {
                break;
            }
            after = page[^1];
            pageSize = Math.Min(2 * pageSize, 512);
        }
        if (chosen.Count == 0)
        {
            return [];
        }
        // A run claimed ahead (DueAfter/DueBy) starts when it is due, not before.
        var starts = chosen.Select(c => new RunStart(c.Id, c.DueAt > request.Now ? c.DueAt : request.Now)).ToList();
        // Journaled before the update, so a driver that defers the journal's insert sends it with the update.
        await tx.AppendJournalAsync(chosen.Select((c, i) => new JournalWrite(starts[i].StartedAt, "run.started", c.JobName, c.Id, c.TriggerId,
            "{\"attempt\":" + (c.Attempt + 1).ToString(CultureInfo.InvariantCulture) + "}")).ToList()).ConfigureAwait(false);
        var runs = await tx.MarkClaimedAsync(starts, request.Owner, request.LeaseExpiresAt).ConfigureAwait(false);
        return runs.Select((run, i) => run with { JobVersion = chosen[i].JobVersion }).ToList();
    }

    private static bool LimitsApply(ClaimCandidate candidate, ClaimRequest request) =>
        candidate.MaxInstances is not null
        || candidate.FlowKeys is not null
        || request.QueueLimits.ContainsKey(candidate.Queue)
        || request.ExecutorKindLimits.ContainsKey(candidate.ExecutorKind)
        || (request.NamespaceLimits.Count > 0 && request.NamespaceLimits.ContainsKey(Access.Namespaces.Of(candidate.JobName)));
}
