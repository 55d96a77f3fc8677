using Kairos.Model;

namespace Kairos.Storage.Memory;

/// <summary>Retention deletes for the pruner: bounded batches, oldest first, each one write.</summary>
internal sealed partial class MemoryStore
{
    public Task<int> DeleteFinishedRunsAsync(RunState state, DateTimeOffset finishedBefore, int limit, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            state.FinishedToWire(); // Throws for queued and running, which are never deleted.
            var doomed = tx.State.Runs.Values.Select(r => r.Run)
                .Where(r => r.State == state && r.FinishedAt < Stored(finishedBefore))
                .OrderBy(r => r.FinishedAt).ThenBy(r => r.Id).Take(limit).Select(r => r.Id).ToList();
            tx.State = tx.State with { Runs = tx.State.Runs.RemoveRange(doomed), RunLogs = tx.State.RunLogs.RemoveRange(doomed), Workflows = tx.State.Workflows.RemoveRange(doomed) };
            return doomed.Count;
        });

    public Task<int> DeleteEventsAsync(DateTimeOffset publishedBefore, int limit, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            var referred = tx.State.Runs.Values.Select(r => r.Run.EventId).OfType<long>().ToHashSet();
            var doomed = tx.State.Events.Values
                .Where(e => e.PublishedAt < Stored(publishedBefore) && !referred.Contains(e.Id))
                .OrderBy(e => e.PublishedAt).ThenBy(e => e.Id).Take(limit).Select(e => e.Id).ToList();
            tx.State = tx.State with { Events = tx.State.Events.RemoveRange(doomed) };
            return doomed.Count;
        });

    /// <summary>
    /// The journal is append-only but for this delete. The newest entry is kept, as the SQL stores keep
    /// it (there, so its sequence number is never handed out again); so are the entries of runs still
    /// queued or running.
    /// </summary>
    public Task<int> DeleteJournalAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            var newest = tx.State.Journal.IsEmpty ? 0 : tx.State.Journal.Keys.Max();
            var doomed = tx.State.Journal.Values
                .Where(e => e.At < Stored(before) && e.Seq < newest
                    && !(e.RunId is { } run && tx.State.Runs.TryGetValue(run, out var row) && row.Run.FinishedAt is null))
                .OrderBy(e => e.At).ThenBy(e => e.Seq).Take(limit).Select(e => e.Seq).ToList();
            tx.State = tx.State with { Journal = tx.State.Journal.RemoveRange(doomed) };
            return doomed.Count;
        });

    public Task<int> DeleteWebhookDeliveriesAsync(string hook, DateTimeOffset receivedBefore, int limit, CancellationToken cancellationToken) =>
        Write(tx => tx.ForgetDeliveries(hook, Stored(receivedBefore), limit));
}
