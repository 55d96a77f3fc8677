namespace Kairos.Storage.Postgres;

internal sealed partial class PostgresStore
{
    public Task<IReadOnlyList<TriggerState>> ListTriggersAsync(string? jobName, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<TriggerState>>(async scope => await scope.Query(
            $"SELECT {PostgresRows.TriggerColumns} FROM triggers WHERE @job::text IS NULL OR job_name = @job::text ORDER BY job_name, id",
            PostgresRows.Trigger, ("job", jobName)), cancellationToken);

    public Task<IReadOnlyList<TriggerState>> ListDueTriggersAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<TriggerState>>(async scope => await scope.Query(
            $"SELECT {PostgresRows.TriggerColumns} FROM triggers WHERE next_fire_at IS NOT NULL AND next_fire_at <= @now ORDER BY next_fire_at LIMIT @limit",
            PostgresRows.Trigger, ("now", Ms(now)), ("limit", limit)), cancellationToken);

    public Task<DateTimeOffset?> GetNextTriggerFireAsync(CancellationToken cancellationToken) =>
        Read(async scope => await scope.Scalar("SELECT MIN(next_fire_at) FROM triggers WHERE next_fire_at IS NOT NULL") is long ms ? Time(ms) : (DateTimeOffset?)null,
            cancellationToken);

    public Task SetTriggerNextFireAsync(long triggerId, DateTimeOffset? nextFireAt, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            scope.Announce(StoreChanges.Triggers);
            return scope.Execute("UPDATE triggers SET next_fire_at = @next::bigint WHERE id = @id", ("next", Ms(nextFireAt)), ("id", triggerId));
        }, cancellationToken);
}
