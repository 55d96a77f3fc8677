using Kairos.Events;
using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Postgres;

/// <summary>The driver's primitives over one PostgreSQL transaction (see <see cref="IDriverTransaction"/>).</summary>
public sealed partial class PostgresStore
{
    private readonly EventRouter _router = new();

    private sealed class Transaction(PostgresStore store, PgScope scope) : IDriverTransaction
    {
        public async ValueTask AppendJournalAsync(DateTimeOffset at, string kind, string? jobName, long? runId, long? triggerId, string? data) =>
            await store.Journal(scope, at, kind, jobName, runId, triggerId, data).ConfigureAwait(false);

        public async ValueTask<bool> JobExistsAsync(string jobName) =>
            await scope.Scalar("SELECT 1 FROM jobs WHERE name = @name", ("name", jobName)).ConfigureAwait(false) is not null;

        public async ValueTask<EnqueueResult> EnqueueAsync(RunRequest request, DateTimeOffset now) =>
            await store.EnqueueInScope(scope, request, now).ConfigureAwait(false);

        public async ValueTask<RunRecord?> GetRunAsync(long runId) =>
            (await scope.Query($"SELECT {PostgresRows.RunColumns} FROM runs WHERE id = @id", PostgresRows.Run, ("id", runId)).ConfigureAwait(false)).FirstOrDefault();

        public async ValueTask<IReadOnlyList<Subscription>> ListActiveSubscriptionsAsync() =>
            await ActiveSubscriptions(scope).ConfigureAwait(false);

        public async ValueTask<long?> FindEventByIdempotencyKeyAsync(string key) =>
            await scope.Scalar("SELECT id FROM events WHERE idempotency_key = @key", ("key", key)).ConfigureAwait(false) as long?;

        public async ValueTask<IReadOnlyList<EnqueueResult>> ListRunsOfEventAsync(long eventId) =>
            await scope.Query("SELECT id, state FROM runs WHERE event_id = @id ORDER BY id",
                r => new EnqueueResult(r.GetInt64(0), false, RunStates.Parse(r.GetString(1))), ("id", eventId)).ConfigureAwait(false);

        public async ValueTask<long> InsertEventAsync(EventRequest request, DateTimeOffset publishedAt) =>
            (long)(await scope.Scalar(
                "INSERT INTO events (type, source, data, priority, idempotency_key, published_at) VALUES (@type, @source, @data::text, @priority, @key::text, @now) RETURNING id",
                ("type", request.Type), ("source", request.Source), ("data", request.Data), ("priority", (long)request.Priority),
                ("key", request.IdempotencyKey), ("now", Ms(publishedAt))).ConfigureAwait(false))!;

        public async ValueTask MarkEventRoutingFailedAsync(long eventId) =>
            await scope.Execute("UPDATE events SET routing_failed = true WHERE id = @id", ("id", eventId)).ConfigureAwait(false);
    }
}
