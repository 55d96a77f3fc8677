using System.Text.Json;
using Kairos.Events;
using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Sqlite;

/// <summary>The driver's primitives over one write of the single writer (see <see cref="IDriverTransaction"/>).</summary>
public sealed partial class SqliteStore
{
    private readonly EventRouter _router = new();

    /// <summary>
    /// Runs a Core rule on the writer thread. Every primitive completes synchronously, so the rule
    /// does too; one that did not would have left the writer's transaction, and is refused.
    /// </summary>
    private static T Completed<T>(ValueTask<T> rule) =>
        rule.IsCompleted ? rule.Result : throw new InvalidOperationException("a rule awaited something other than the SQLite driver inside a write");

    private static void Completed(ValueTask rule)
    {
        if (!rule.IsCompleted)
        {
            throw new InvalidOperationException("a rule awaited something other than the SQLite driver inside a write");
        }
        rule.GetAwaiter().GetResult();
    }

    public Task<T> WriteAsync<T>(Func<IDriverTransaction, ValueTask<T>> rule, CancellationToken cancellationToken) =>
        Write(scope => Completed(rule(new Transaction(this, scope))));

    private sealed class Transaction(SqliteStore store, SqliteWriteScope scope) : IDriverTransaction
    {
        public ValueTask AppendJournalAsync(DateTimeOffset at, string kind, string? jobName, long? runId, long? triggerId, string? data)
        {
            store.Journal(scope, at, kind, jobName, runId, triggerId, data);
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> JobExistsAsync(string jobName) =>
            ValueTask.FromResult(scope.Scalar("SELECT 1 FROM jobs WHERE name = @name", ("@name", jobName)) is not null);

        public ValueTask<EnqueueResult> EnqueueAsync(RunRequest request, DateTimeOffset now) =>
            ValueTask.FromResult(store.EnqueueInScope(scope, request, now));

        public ValueTask<RunRecord?> GetRunAsync(long runId) =>
            ValueTask.FromResult(SqliteRows.ReadAll(scope.Command($"SELECT {SqliteRows.RunColumns} FROM runs WHERE id = @id", ("@id", runId)), r => SqliteRows.Run(r))
                .FirstOrDefault());

        public ValueTask<IReadOnlyList<Subscription>> ListActiveSubscriptionsAsync() =>
            ValueTask.FromResult<IReadOnlyList<Subscription>>(store.ActiveSubscriptions(scope));

        public ValueTask<long?> FindEventByIdempotencyKeyAsync(string key) =>
            ValueTask.FromResult(scope.Scalar("SELECT id FROM events WHERE idempotency_key = @key", ("@key", key)) as long?);

        public ValueTask<IReadOnlyList<EnqueueResult>> ListRunsOfEventAsync(long eventId) =>
            ValueTask.FromResult<IReadOnlyList<EnqueueResult>>(SqliteRows.ReadAll(
                scope.Command("SELECT id, state FROM runs WHERE event_id = @id ORDER BY id", ("@id", eventId)),
                r => new EnqueueResult(r.GetInt64(0), false, RunStates.Parse(r.GetString(1)))));

        public ValueTask<long> InsertEventAsync(EventRequest request, DateTimeOffset publishedAt) =>
            ValueTask.FromResult((long)scope.Scalar(
                "INSERT INTO events (type, source, data, priority, idempotency_key, published_at) VALUES (@type, @source, @data, @priority, @key, @now) RETURNING id",
                ("@type", request.Type), ("@source", request.Source), ("@data", request.Data), ("@priority", request.Priority),
                ("@key", request.IdempotencyKey), ("@now", Ms(publishedAt)))!);

        public ValueTask MarkEventRoutingFailedAsync(long eventId)
        {
            scope.Execute("UPDATE events SET routing_failed = 1 WHERE id = @id", ("@id", eventId));
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<TriggerBinding>> ListTriggersAsync(string source) =>
            ValueTask.FromResult<IReadOnlyList<TriggerBinding>>(SqliteRows.ReadAll(
                scope.Command("SELECT t.job_name, t.spec, j.paused FROM triggers t JOIN jobs j ON j.name = t.job_name WHERE t.key LIKE @prefix ORDER BY t.job_name, t.id",
                    ("@prefix", source + ":%")),
                r => new TriggerBinding(r.GetString(0), JsonSerializer.Deserialize<TriggerSpec>(r.GetString(1), KairosJson.Options)!, r.GetInt64(2) != 0)));

        public ValueTask<bool> RememberDeliveryIdAsync(string hook, string deliveryId, DateTimeOffset receivedAt, DateTimeOffset forgetBefore)
        {
            scope.Execute("DELETE FROM webhook_deliveries WHERE hook = @hook AND received_at < @horizon", ("@hook", hook), ("@horizon", Ms(forgetBefore)));
            return ValueTask.FromResult(scope.Execute(
                "INSERT INTO webhook_deliveries (hook, delivery_id, received_at) VALUES (@hook, @id, @now) ON CONFLICT DO NOTHING",
                ("@hook", hook), ("@id", deliveryId), ("@now", Ms(receivedAt))) == 1);
        }
    }
}
