using System.Collections.Immutable;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Memory;

/// <summary>
/// One write: the state it builds on (see <see cref="MemoryStore"/>), the changes every write makes
/// (journal entries, run rows), and the driver's primitives for rules from Core (<see cref="IDriverTransaction"/>).
/// </summary>
internal sealed partial class MemoryStore
{
    /// <summary>Runs a Core rule inside a write: every primitive completes synchronously, so the rule does too.</summary>
    private static T Completed<T>(ValueTask<T> rule) => SynchronousRule.Result(rule, "in-memory driver");

    // One writer at a time, taken in turn: nothing to jump ahead of.
    public Task<T> WriteAsync<T>(Func<IDriverTransaction, ValueTask<T>> rule, CancellationToken cancellationToken, bool urgent = false) =>
        Write(tx => Completed(rule(tx)));

    private sealed partial class Transaction(string node, MemoryState committed) : IDriverTransaction
    {
        /// <summary>The state as this write has changed it so far; the store publishes it if the write returns.</summary>
        public MemoryState State { get; set; } = committed;

        public void Journal(DateTimeOffset at, string kind, string? jobName, long? runId, long? triggerId, string? data)
        {
            var seq = State.LastSeq + 1;
            State = State with { LastSeq = seq, Journal = State.Journal.Add(seq, new JournalEntry(seq, Stored(at), kind, jobName, runId, triggerId, node, data)) };
        }

        /// <summary>Changes a run's row; like an UPDATE, does nothing when there is no such run.</summary>
        public void UpdateRun(long runId, Func<RunRecord, RunRecord> change)
        {
            if (State.Runs.TryGetValue(runId, out var row))
            {
                State = State with { Runs = State.Runs.SetItem(runId, row with { Run = change(row.Run) }) };
            }
        }

        public void AppendLogs(IEnumerable<(long RunId, RunLogLine Line)> lines)
        {
            foreach (var (runId, line) in lines)
            {
                var log = State.RunLogs.GetValueOrDefault(runId, ImmutableList<RunLogLine>.Empty);
                State = State with { RunLogs = State.RunLogs.SetItem(runId, log.Add(line with { At = Stored(line.At) })) };
            }
        }

        public ValueTask AppendJournalAsync(DateTimeOffset at, string kind, string? jobName, long? runId, long? triggerId, string? data)
        {
            Journal(at, kind, jobName, runId, triggerId, data);
            return ValueTask.CompletedTask;
        }

        public ValueTask AppendJournalAsync(IReadOnlyList<JournalWrite> entries)
        {
            foreach (var e in entries)
            {
                Journal(e.At, e.Kind, e.JobName, e.RunId, e.TriggerId, e.Data);
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> JobExistsAsync(string jobName) => ValueTask.FromResult(State.Jobs.ContainsKey(jobName));

        public ValueTask<IReadOnlyList<RunState>> ListLatestOutcomesAsync(string jobName, int count) =>
            ValueTask.FromResult<IReadOnlyList<RunState>>(State.Runs.Values.Reverse()
                .Where(r => r.Run.JobName == jobName && r.Run.State is RunState.Succeeded or RunState.Dead)
                .Take(count).Select(r => r.Run.State).ToList());

        public ValueTask<JobSettings?> GetJobSettingsAsync(string jobName) => ValueTask.FromResult(State.Jobs.GetValueOrDefault(jobName)?.Settings);

        public ValueTask<IReadOnlyDictionary<string, JobSettings>> GetJobSettingsAsync(IReadOnlyCollection<string> jobNames) =>
            ValueTask.FromResult<IReadOnlyDictionary<string, JobSettings>>(jobNames.Distinct()
                .Where(State.Jobs.ContainsKey).ToDictionary(name => name, name => State.Jobs[name].Settings, StringComparer.Ordinal));

        // One writer at a time already takes decisions one at a time.
        public ValueTask LockJobAsync(string jobName) => ValueTask.CompletedTask;

        public ValueTask<long> CountActiveRunsAsync(string jobName) =>
            ValueTask.FromResult((long)State.Runs.Values.Count(r => r.Active && r.Run.JobName == jobName));

        public ValueTask<IReadOnlyList<long>> ListActiveRunIdsAsync(string jobName) =>
            ValueTask.FromResult<IReadOnlyList<long>>(State.Runs.Values.Where(r => r.Active && r.Run.JobName == jobName).Select(r => r.Run.Id).Order().ToList());

        public ValueTask<IReadOnlyList<ActiveRun>> ListActiveRunsAsync(string jobName) =>
            ValueTask.FromResult<IReadOnlyList<ActiveRun>>(State.Runs.Values.Where(r => r.Active && r.Run.JobName == jobName)
                .Select(r => new ActiveRun(r.Run.Id, r.Run.CreatedAt, r.Run.Payload)).OrderBy(r => r.Id).ToList());

        public ValueTask<IReadOnlyList<CancelRules>> ListCancelRulesAsync() =>
            ValueTask.FromResult<IReadOnlyList<CancelRules>>(State.Jobs.Where(j => j.Value.CancelOn is not null)
                .Select(j => new CancelRules(j.Key, j.Value.CancelOn!)).ToList());

        public ValueTask<bool> DeleteJobAsync(string jobName)
        {
            if (!State.Jobs.ContainsKey(jobName))
            {
                return ValueTask.FromResult(false);
            }
            State = State with { Jobs = State.Jobs.Remove(jobName) };
            return ValueTask.FromResult(true);
        }

        public ValueTask<IReadOnlyList<TriggerRun>> ListActiveRunsOfTriggerAsync(string jobName, long triggerId) =>
            ValueTask.FromResult<IReadOnlyList<TriggerRun>>(State.Runs.Values
                .Where(r => r.Active && r.Run.JobName == jobName && r.Run.TriggerId == triggerId)
                .OrderBy(r => r.Run.Id)
                .Select(r => new TriggerRun(r.Run.Id, r.Run.State, r.Run.DueAt)).ToList());

        public ValueTask<bool> MoveQueuedRunAsync(long runId, DateTimeOffset from, DateTimeOffset to)
        {
            if (State.Runs.GetValueOrDefault(runId) is not { Run: { State: RunState.Queued } run } || run.DueAt != Stored(from))
            {
                return ValueTask.FromResult(false);
            }
            UpdateRun(runId, r => r with { DueAt = Stored(to) });
            return ValueTask.FromResult(true);
        }

        public ValueTask<EnqueueResult?> FindRunByIdempotencyKeyAsync(string jobName, string key) =>
            ValueTask.FromResult(Found(State.Runs.Values.FirstOrDefault(r => r.Run.JobName == jobName && r.Run.IdempotencyKey == key)));

        public ValueTask<EnqueueResult?> FindActiveRunByDedupeKeyAsync(long triggerId, string dedupeKey) =>
            ValueTask.FromResult(Found(State.Runs.Values.FirstOrDefault(r => r.Active && r.Run.TriggerId == triggerId && r.DedupeKey == dedupeKey)));

        private static EnqueueResult? Found(RunRow? row) => row is null ? null : new EnqueueResult(row.Run.Id, false, row.Run.State);

        public ValueTask<long?> InsertRunFromJobAsync(RunRequest request, DateTimeOffset now) =>
            State.Jobs.GetValueOrDefault(request.JobName)?.Settings is { SkipsOverlaps: false, Flow: null } job
                ? InsertRunAsync(NewRun.For(request, job, RunState.Queued, now))
                : ValueTask.FromResult<long?>(null);

        // A taken key is refused as the SQL stores' unique index refuses it.
        public ValueTask<long?> InsertRunAsync(NewRun run) =>
            ValueTask.FromResult(run.IdempotencyKey is { } key && State.Runs.Values.Any(r => r.Run.JobName == run.JobName && r.Run.IdempotencyKey == key)
                ? null
                : (long?)InsertRun(run));

        public ValueTask<IReadOnlyList<long>> InsertRunsAsync(IReadOnlyList<NewRun> runs) =>
            ValueTask.FromResult<IReadOnlyList<long>>(runs.Select(InsertRun).ToList());

        private long InsertRun(NewRun run)
        {
            var id = State.LastRunId + 1;
            var record = new RunRecord
            {
                Id = id,
                JobName = run.JobName,
                Queue = run.Queue,
                ExecutorKind = run.ExecutorKind,
                Priority = run.Priority,
                State = run.State,
                Attempt = 0,
                MaxAttempts = run.MaxAttempts,
                Source = run.Source,
                TriggerId = run.TriggerId,
                ParentRunId = run.ParentRunId,
                Payload = run.Payload,
                IdempotencyKey = run.IdempotencyKey,
                CreatedAt = Stored(run.CreatedAt),
                DueAt = Stored(run.DueAt),
                FinishedAt = Stored(run.FinishedAt),
                EventId = run.EventId,
                Subscription = run.Subscription,
                ChainDepth = run.ChainDepth,
            };
            // Held (NewRun.Held) is not stored: a queued run of a paused job is held, whenever asked.
            State = State with { LastRunId = id, Runs = State.Runs.Add(id, new RunRow(record, run.DedupeKey) { FlowKeys = run.FlowKeys }) };
            return id;
        }

        public ValueTask<RunRecord?> GetRunAsync(long runId) => ValueTask.FromResult(State.Runs.GetValueOrDefault(runId)?.Run);

        private static RunSummary Summary(RunRecord r) => new(r.Id, r.JobName, r.TriggerId, r.State, r.Attempt, r.MaxAttempts);

        // The one writer holds every row until the write commits.
        public ValueTask<RunSummary?> GetRunSummaryAsync(long runId) =>
            ValueTask.FromResult(State.Runs.TryGetValue(runId, out var row) ? Summary(row.Run) : null);

        public ValueTask<RunSummary?> GetRunningRunAsync(long runId, string owner) =>
            ValueTask.FromResult(State.Runs.TryGetValue(runId, out var row) && row.Run.State == RunState.Running && row.Run.LeaseOwner == owner
                ? Summary(row.Run)
                : null);

        public ValueTask<IReadOnlyList<RunSummary>> ListExpiredRunsAsync(DateTimeOffset now) =>
            ValueTask.FromResult<IReadOnlyList<RunSummary>>(State.Runs.Values
                .Where(r => r.Run.State == RunState.Running && r.Run.LeaseExpiresAt < Stored(now))
                .Select(r => Summary(r.Run)).ToList());

        public ValueTask RequeueRunAsync(long runId, DateTimeOffset dueAt, string error)
        {
            UpdateRun(runId, r => r with { State = RunState.Queued, Error = error, DueAt = Stored(dueAt), FinishedAt = null, LeaseOwner = null, LeaseExpiresAt = null });
            return ValueTask.CompletedTask;
        }

        public ValueTask UnclaimRunAsync(long runId)
        {
            UpdateRun(runId, r => r with { State = RunState.Queued, Attempt = r.Attempt - 1, StartedAt = null, LeaseOwner = null, LeaseExpiresAt = null });
            return ValueTask.CompletedTask;
        }

        public ValueTask FinishRunAsync(long runId, RunState state, string error, DateTimeOffset at)
        {
            UpdateRun(runId, r => r with { State = state, Error = error, FinishedAt = Stored(at), LeaseOwner = null, LeaseExpiresAt = null });
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<CompletedRun?>> CompleteRunsAsync(IReadOnlyList<RunCompletion> completions, IReadOnlyList<RunState> states) =>
            ValueTask.FromResult<IReadOnlyList<CompletedRun?>>(completions.Select((c, i) => CompleteRun(c, states[i])).ToList());

        /// <summary>Stores one outcome, only while the completion's owner holds the run.</summary>
        private CompletedRun? CompleteRun(RunCompletion completion, RunState state)
        {
            if (!State.Runs.TryGetValue(completion.RunId, out var row) || row.Run.State != RunState.Running || row.Run.LeaseOwner != completion.Owner)
            {
                return null;
            }
            UpdateRun(completion.RunId, r => r with
            {
                State = state,
                Output = completion.Output,
                Error = completion.Error,
                DueAt = Stored(completion.RetryAt) ?? r.DueAt,
                FinishedAt = state is RunState.Queued or RunState.Waiting ? null : Stored(completion.FinishedAt),
                LeaseOwner = null,
                LeaseExpiresAt = null,
                CancelRequested = false,
            });
            return new CompletedRun(row.Run.JobName, row.Run.TriggerId, row.Run.Attempt, row.Run.StartedAt);
        }

        public ValueTask AppendRunLogsAsync(IReadOnlyList<(long RunId, RunLogLine Line)> lines)
        {
            AppendLogs(lines);
            return ValueTask.CompletedTask;
        }

        public ValueTask RequestCancelAsync(long runId)
        {
            UpdateRun(runId, r => r with { CancelRequested = true });
            return ValueTask.CompletedTask;
        }

        public ValueTask<RunRecord> ReopenRunAsync(long runId, DateTimeOffset dueAt, int maxAttempts)
        {
            UpdateRun(runId, r => r with { State = RunState.Queued, DueAt = Stored(dueAt), FinishedAt = null, MaxAttempts = maxAttempts, CancelRequested = false });
            return ValueTask.FromResult(State.Runs[runId].Run);
        }
    }
}
