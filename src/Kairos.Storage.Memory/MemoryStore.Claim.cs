using System.Text.Json;
using Kairos.Model;

namespace Kairos.Storage.Memory;

/// <summary>Claim: the dispatcher takes due runs in order priority → due time → id, within every limit.</summary>
public sealed partial class MemoryStore
{
    // The SQL stores look at no more candidates than this in one claim when limits turn many down.
    private const int MaxCandidatesScanned = 4096;

    public Task<IReadOnlyList<RunRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken) =>
        Write<IReadOnlyList<RunRecord>>(tx =>
        {
            var chosen = ChooseClaimable(tx.State, request);
            return chosen.Select(run => MarkRunning(tx, request, run.Id)).ToList();
        });

    private static List<RunRecord> ChooseClaimable(MemoryState state, ClaimRequest request)
    {
        var chosen = new List<RunRecord>();
        if (request.MaxRuns <= 0)
        {
            return chosen;
        }
        var now = Stored(request.Now);
        var candidates = state.Runs.Values.Select(r => r.Run)
            .Where(r => r.DueAt <= now && Claimable(state, r))
            .OrderByDescending(r => r.Priority).ThenBy(r => r.DueAt).ThenBy(r => r.Id)
            .Take(MaxCandidatesScanned);
        RunLimitCounter? running = null; // Counted on first need: with no limit in play it is not needed at all.
        foreach (var candidate in candidates)
        {
            var maxInstances = state.Jobs[candidate.JobName].Settings.MaxInstances;
            var limited = maxInstances is not null
                || request.QueueLimits.ContainsKey(candidate.Queue)
                || request.ExecutorKindLimits.ContainsKey(candidate.ExecutorKind);
            if (limited)
            {
                running ??= RunningCounts(state);
                if (!running.TryTake(candidate.JobName, candidate.Queue, candidate.ExecutorKind, maxInstances, request))
                {
                    continue;
                }
            }
            chosen.Add(candidate);
            if (chosen.Count == request.MaxRuns)
            {
                break;
            }
        }
        return chosen;
    }

    private static RunLimitCounter RunningCounts(MemoryState state)
    {
        var counter = new RunLimitCounter();
        foreach (var run in state.Runs.Values.Select(r => r.Run).Where(r => r.State == RunState.Running))
        {
            counter.Add(run.JobName, run.Queue, run.ExecutorKind, 1);
        }
        return counter;
    }

    /// <summary>Starts the run for the claim's owner and journals run.started with its attempt, as {"attempt":N}.</summary>
    private static RunRecord MarkRunning(Transaction tx, ClaimRequest request, long runId)
    {
        tx.UpdateRun(runId, r => r with
        {
            State = RunState.Running,
            Attempt = r.Attempt + 1,
            StartedAt = Stored(request.Now),
            FinishedAt = null,
            LeaseOwner = request.Owner,
            LeaseExpiresAt = Stored(request.LeaseExpiresAt),
            CancelRequested = false,
        });
        var run = tx.State.Runs[runId].Run;
        tx.Journal(request.Now, "run.started", run.JobName, run.Id, run.TriggerId, JsonSerializer.Serialize(new { attempt = run.Attempt }));
        return run with { JobVersion = tx.State.Jobs[run.JobName].Version };
    }
}
