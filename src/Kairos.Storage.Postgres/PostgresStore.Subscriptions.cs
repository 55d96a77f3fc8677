using Kairos.Events;
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

    public Task<Subscription?> GetSubscriptionAsync(string name, CancellationToken cancellationToken) =>
        Read(async scope => (Subscription?)(await scope.Query($"SELECT {SubscriptionColumns} FROM subscriptions WHERE name = @name", ReadSubscription, ("name", name))).FirstOrDefault(),
            cancellationToken);

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<Subscription>>(async scope => await scope.Query($"SELECT {SubscriptionColumns} FROM subscriptions ORDER BY name COLLATE \"C\"", ReadSubscription),
            cancellationToken);

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
