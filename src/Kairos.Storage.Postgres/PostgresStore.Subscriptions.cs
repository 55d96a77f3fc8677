using System.Collections.Concurrent;
using System.Text.Json;
using Kairos.Events;
using Kairos.Model;
using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Subscriptions: stored rows, and their parsed patterns and filters cached by text. Unlike the
/// SQLite store, the active subscriptions are not cached: other nodes change them, so every publish
/// reads them in its own transaction.
/// </summary>
internal sealed partial class PostgresStore
{
    private const string SubscriptionColumns = "name, pattern, filter, job_name, active, max_depth, owner_job";

    public Task SaveSubscriptionAsync(Subscription subscription, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            await UpsertSubscription(scope, subscription, now);
            return true;
        }, cancellationToken);

    public Task ReplaceOwnedSubscriptionsAsync(string ownerJob, IReadOnlyList<Subscription> subscriptions, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            var keep = subscriptions.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            var owned = await scope.Query("SELECT name FROM subscriptions WHERE owner_job = @owner FOR UPDATE", r => r.GetString(0), ("owner", ownerJob));
            foreach (var name in owned.Where(n => !keep.Contains(n)))
            {
                await scope.Execute("DELETE FROM subscriptions WHERE name = @name", ("name", name));
                await Journal(scope, now, "subscription.deleted", ownerJob, null, null, JsonSerializer.Serialize(new { subscription = name }, KairosJson.Options));
            }
            foreach (var subscription in subscriptions)
            {
                await UpsertSubscription(scope, subscription with { OwnerJob = ownerJob }, now);
            }
            return true;
        }, cancellationToken);

    private async Task UpsertSubscription(PgScope scope, Subscription s, DateTimeOffset now)
    {
        var previous = (await scope.Query($"SELECT {SubscriptionColumns} FROM subscriptions WHERE name = @name FOR UPDATE", ReadSubscription, ("name", s.Name))).FirstOrDefault();
        if (previous == s)
        {
            return;
        }
        await scope.Execute(
            """
            INSERT INTO subscriptions (name, pattern, filter, job_name, active, max_depth, owner_job, updated_at)
            VALUES (@name, @pattern, @filter, @job, @active, @depth::bigint, @owner::text, @now)
            ON CONFLICT (name) DO UPDATE SET pattern = excluded.pattern, filter = excluded.filter, job_name = excluded.job_name,
                active = excluded.active, max_depth = excluded.max_depth, owner_job = excluded.owner_job, updated_at = excluded.updated_at
            """,
            ("name", s.Name), ("pattern", s.Pattern), ("filter", s.Filter), ("job", s.Job), ("active", s.Active),
            ("depth", (long?)s.MaxDepth), ("owner", s.OwnerJob), ("now", Ms(now)));
        await Journal(scope, now, previous is null ? "subscription.created" : "subscription.updated", s.Job, null, null,
            JsonSerializer.Serialize(new { subscription = s.Name, pattern = s.Pattern, filter = JsonDocument.Parse(s.Filter).RootElement, active = s.Active }, KairosJson.Options));
    }

    public Task<Subscription?> GetSubscriptionAsync(string name, CancellationToken cancellationToken) =>
        Read(async scope => (Subscription?)(await scope.Query($"SELECT {SubscriptionColumns} FROM subscriptions WHERE name = @name", ReadSubscription, ("name", name))).FirstOrDefault(),
            cancellationToken);

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<Subscription>>(async scope => await scope.Query($"SELECT {SubscriptionColumns} FROM subscriptions ORDER BY name COLLATE \"C\"", ReadSubscription),
            cancellationToken);

    public Task<bool> DeleteSubscriptionAsync(string name, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            var deleted = await scope.Execute("DELETE FROM subscriptions WHERE name = @name", ("name", name)) > 0;
            if (deleted)
            {
                await Journal(scope, now, "subscription.deleted", null, null, null, JsonSerializer.Serialize(new { subscription = name }, KairosJson.Options));
            }
            return deleted;
        }, cancellationToken);

    private static Task<List<Subscription>> ActiveSubscriptions(PgScope scope) =>
        scope.Query($"SELECT {SubscriptionColumns} FROM subscriptions WHERE active ORDER BY name COLLATE \"C\"", ReadSubscription);

    private static Subscription ReadSubscription(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(3))
        {
            Filter = r.GetString(2),
            Active = r.GetBoolean(4),
            MaxDepth = r.IsDBNull(5) ? null : (int)r.GetInt64(5),
            OwnerJob = PostgresRows.Text(r, 6),
        };
}
