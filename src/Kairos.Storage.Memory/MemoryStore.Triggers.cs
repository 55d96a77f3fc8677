namespace Kairos.Storage.Memory;

internal sealed partial class MemoryStore
{
    public Task<IReadOnlyList<TriggerState>> ListTriggersAsync(string? jobName, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<TriggerState>>(state => state.Triggers.Values
            .Where(t => jobName is null || t.JobName == jobName)
            .OrderBy(t => t.JobName, StringComparer.Ordinal).ThenBy(t => t.Id).ToList(), cancellationToken);

    public Task<IReadOnlyList<TriggerState>> ListDueTriggersAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<TriggerState>>(state => state.Triggers.Values
            .Where(t => t.NextFireAt <= Stored(now))
            .OrderBy(t => t.NextFireAt).ThenBy(t => t.Id).Take(limit).ToList(), cancellationToken);

    public Task<DateTimeOffset?> GetNextTriggerFireAsync(CancellationToken cancellationToken) =>
        Read(state => state.Triggers.Values.Min(t => t.NextFireAt), cancellationToken);

    public Task SetTriggerNextFireAsync(long triggerId, DateTimeOffset? nextFireAt, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            if (tx.State.Triggers.TryGetValue(triggerId, out var trigger))
            {
                tx.State = tx.State with { Triggers = tx.State.Triggers.SetItem(triggerId, trigger with { NextFireAt = Stored(nextFireAt) }) };
            }
            return true;
        });
}
