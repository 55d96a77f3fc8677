using Kairos.Access;
using Kairos.Model;

namespace Kairos.Storage.Memory;

/// <summary>Read-only queries, answered from the committed state without waiting for the writer.</summary>
internal sealed partial class MemoryStore
{
    public Task<DateTimeOffset?> GetNextQueuedDueAsync(DateTimeOffset? after, CancellationToken cancellationToken) =>
        Read(state => state.Runs.Values.Select(r => r.Run).Where(r => Claimable(state, r) && (after is null || r.DueAt > after)).Min(r => (DateTimeOffset?)r.DueAt), cancellationToken);

    public Task<RunRecord?> GetRunAsync(long runId, CancellationToken cancellationToken) =>
        Read(state => state.Runs.GetValueOrDefault(runId)?.Run, cancellationToken);

    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<RunRecord>>(state => state.Runs.Values.Reverse().Select(r => r.Run)
            .Where(r => (query.JobName is null || r.JobName == query.JobName) && (query.State is null || r.State == query.State)
                && (query.BeforeId is null || r.Id < query.BeforeId) && (query.EventId is null || r.EventId == query.EventId)
                && (query.ParentRunId is null || r.ParentRunId == query.ParentRunId) && Namespaces.Contains(query.Namespace, r.JobName)
                && (query.Source is null || r.Source == query.Source) && (query.From is null || r.CreatedAt >= Stored(query.From)) && (query.To is null || r.CreatedAt < Stored(query.To)))
            .Take(Math.Clamp(query.Limit, 1, 10_000)).ToList(), cancellationToken);

    public Task<IReadOnlyList<RunLogLine>> GetRunLogAsync(long runId, RunLogQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<RunLogLine>>(state => (state.RunLogs.GetValueOrDefault(runId) ?? []).Skip(Math.Max(0, query.Skip)).Take(Math.Max(0, query.Limit))
            .Select(l => l.Text.Length > RunLogWindow.Chars(query) ? l with { Text = l.Text[..RunLogWindow.Chars(query)] } : l).ToList(), cancellationToken);

    public Task<IReadOnlyList<JournalEntry>> ListJournalAsync(JournalQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<JournalEntry>>(state => (query.NewestFirst ? state.Journal.Values.Reverse() : state.Journal.Values)
            .Where(e => (query.RunId is null || e.RunId == query.RunId) && (query.JobName is null || e.JobName == query.JobName)
                && (query.AfterSeq is null || e.Seq > query.AfterSeq) && Namespaces.Contains(query.Namespace, e.JobName)
                && (query.Kinds is null || query.Kinds.Contains(e.Kind)))
            .Take(Math.Clamp(query.Limit, 1, 100_000)).ToList(), cancellationToken);

    /// <summary>The journal's count is of the entries kept (as PostgreSQL counts them; SQLite gives its highest sequence number).</summary>
    public Task<StoreStats> GetStatsAsync(string? ns, CancellationToken cancellationToken) =>
        Read(state => new StoreStats(
            state.Runs.Values.Where(r => Namespaces.Contains(ns, r.Run.JobName)).GroupBy(r => r.Run.State.ToWire()).ToDictionary(g => g.Key, g => (long)g.Count()),
            state.Jobs.Keys.Count(name => Namespaces.Contains(ns, name)), state.Triggers.Values.Count(t => Namespaces.Contains(ns, t.JobName)),
            state.Journal.Values.Count(e => Namespaces.Contains(ns, e.JobName))), cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> CountQueuedRunsByQueueAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyDictionary<string, long>>(state => state.Runs.Values.Where(r => r.Run.State == RunState.Queued)
            .GroupBy(r => r.Run.Queue, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal), cancellationToken);

    /// <summary>Appends a journal entry that records something without changing state.</summary>
    public Task AppendJournalAsync(string kind, string? jobName, string? data, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            tx.Journal(now, kind, jobName, null, null, data);
            return true;
        });
}
