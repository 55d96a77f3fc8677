using Kairos.Events;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>Subscriptions: the rows, and the active ones kept in memory for routing.</summary>
internal sealed partial class SqliteStore
{
    private const string SubscriptionColumns = "name, pattern, filter, job_name, active, max_depth, owner_job";

    /// <summary>
    /// The active subscriptions, read once and kept until one changes. Only the single writer reads or
    /// resets it, and every change goes through that writer. Known gap: if a batch commit fails after
    /// a later write of the same batch re-read the list, it holds the rolled-back change until the
    /// next subscription change (a failing COMMIT is rare: disk full, I/O error).
    /// </summary>
    private List<Subscription>? _activeSubscriptions;

    private void UpsertSubscription(SqliteWriteScope scope, Subscription s, DateTimeOffset now)
    {
        scope.Execute(
            """
            INSERT INTO subscriptions (name, pattern, filter, job_name, active, max_depth, owner_job, updated_at)
            VALUES (@name, @pattern, @filter, @job, @active, @depth, @owner, @now)
            ON CONFLICT (name) DO UPDATE SET pattern = excluded.pattern, filter = excluded.filter, job_name = excluded.job_name,
                active = excluded.active, max_depth = excluded.max_depth, owner_job = excluded.owner_job, updated_at = excluded.updated_at
            """,
            ("@name", s.Name), ("@pattern", s.Pattern), ("@filter", s.Filter), ("@job", s.Job), ("@active", s.Active ? 1 : 0),
            ("@depth", s.MaxDepth), ("@owner", s.OwnerJob), ("@now", Ms(now)));
        _activeSubscriptions = null;
    }

    private bool DeleteSubscription(SqliteWriteScope scope, string name)
    {
        var deleted = scope.Execute("DELETE FROM subscriptions WHERE name = @name", ("@name", name)) > 0;
        if (deleted)
        {
            _activeSubscriptions = null;
        }
        return deleted;
    }

    public Task<Subscription?> GetSubscriptionAsync(string name, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {SubscriptionColumns} FROM subscriptions WHERE name = @name";
            command.Parameters.AddWithValue("@name", name);
            return SqliteRows.ReadAll(command, ReadSubscription).FirstOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<Subscription>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {SubscriptionColumns} FROM subscriptions ORDER BY name";
            return SqliteRows.ReadAll(command, ReadSubscription);
        }, cancellationToken);

    private List<Subscription> ActiveSubscriptions(SqliteWriteScope scope) =>
        _activeSubscriptions ??= SqliteRows.ReadAll(scope.Command($"SELECT {SubscriptionColumns} FROM subscriptions WHERE active = 1 ORDER BY name"), ReadSubscription);

    private static Subscription ReadSubscription(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(3))
        {
            Filter = r.GetString(2),
            Active = r.GetInt64(4) != 0,
            MaxDepth = r.IsDBNull(5) ? null : r.GetInt32(5),
            OwnerJob = SqliteRows.NullableString(r, 6),
        };
}
