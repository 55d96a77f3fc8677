using Kairos.Engine.Claiming;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Memory;

/// <summary>Claim: the rules are <see cref="RunClaims"/>'s; the candidates and the rows changed are here.</summary>
internal sealed partial class MemoryStore
{
    public Task<IReadOnlyList<RunRecord>> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken) =>
        Write(tx => Completed(RunClaims.ClaimAsync(tx, request)));

    private sealed partial class Transaction
    {
        // One writer at a time: nothing to prepare, and claims already take turns.
        public ValueTask BeginClaimAsync() => ValueTask.CompletedTask;

        public ValueTask LockClaimLimitsAsync() => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyList<ClaimCandidate>> ReadClaimCandidatesAsync(DateTimeOffset now, ClaimCandidate? after, int limit)
        {
            var due = Stored(now);
            var state = State;
            return ValueTask.FromResult<IReadOnlyList<ClaimCandidate>>(state.Runs.Values.Select(r => r.Run)
                .Where(r => r.DueAt <= due && Claimable(state, r) && (after is null || After(r, after)))
                .OrderByDescending(r => r.Priority).ThenBy(r => r.DueAt).ThenBy(r => r.Id)
                .Take(limit)
                .Select(r =>
                {
                    var job = state.Jobs[r.JobName];
                    return new ClaimCandidate(r.Id, r.JobName, r.Queue, r.ExecutorKind, job.Settings.MaxInstances, job.Version, r.Priority, r.DueAt)
                    {
                        FlowKeys = state.Runs[r.Id].FlowKeys,
                        Attempt = r.Attempt,
                        TriggerId = r.TriggerId,
                    };
                })
                .ToList());
        }

        /// <summary>Whether the run comes after the candidate in claim order (priority desc, due, id).</summary>
        private static bool After(RunRecord run, ClaimCandidate candidate) =>
            run.Priority < candidate.Priority
            || (run.Priority == candidate.Priority && (run.DueAt > candidate.DueAt || (run.DueAt == candidate.DueAt && run.Id > candidate.Id)));

        public ValueTask<IReadOnlyList<RunningCount>> CountRunningRunsAsync() =>
            ValueTask.FromResult<IReadOnlyList<RunningCount>>(State.Runs.Values.Select(r => r.Run).Where(r => r.State == RunState.Running)
                .GroupBy(r => (r.JobName, r.Queue, r.ExecutorKind))
                .Select(g => new RunningCount(g.Key.JobName, g.Key.Queue, g.Key.ExecutorKind, g.Count())).ToList());

        public ValueTask<IReadOnlyList<RunRecord>> MarkClaimedAsync(IReadOnlyList<RunStart> starts, string owner, DateTimeOffset leaseExpiresAt)
        {
            foreach (var start in starts)
            {
                UpdateRun(start.Id, r => r with
                {
                    State = RunState.Running,
                    Attempt = r.Attempt + 1,
                    StartedAt = Stored(start.StartedAt),
                    FinishedAt = null,
                    LeaseOwner = owner,
                    LeaseExpiresAt = Stored(leaseExpiresAt),
                    CancelRequested = false,
                });
            }
            return ValueTask.FromResult<IReadOnlyList<RunRecord>>(starts.Select(s => State.Runs[s.Id].Run).ToList());
        }
    }
}
