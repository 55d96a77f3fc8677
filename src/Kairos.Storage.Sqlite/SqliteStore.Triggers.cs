using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

internal sealed partial class SqliteStore
{
    public Task<IReadOnlyList<TriggerState>> ListTriggersAsync(string? jobName, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<TriggerState>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {SqliteRows.TriggerColumns} FROM triggers WHERE @job IS NULL OR job_name = @job ORDER BY job_name, id";
            command.Parameters.AddWithValue("@job", (object?)jobName ?? DBNull.Value);
            return SqliteRows.ReadAll(command, SqliteRows.Trigger);
        }, cancellationToken);

    public Task<IReadOnlyList<TriggerState>> ListDueTriggersAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<TriggerState>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText =
                $"SELECT {SqliteRows.TriggerColumns} FROM triggers WHERE next_fire_at IS NOT NULL AND next_fire_at <= @now ORDER BY next_fire_at LIMIT @limit";
            command.Parameters.AddWithValue("@now", Ms(now));
            command.Parameters.AddWithValue("@limit", limit);
            return SqliteRows.ReadAll(command, SqliteRows.Trigger);
        }, cancellationToken);

    public Task<DateTimeOffset?> GetNextTriggerFireAsync(CancellationToken cancellationToken) =>
        Read(connection => ScalarTime(connection, "SELECT MIN(next_fire_at) FROM triggers WHERE next_fire_at IS NOT NULL"), cancellationToken);

    public Task SetTriggerNextFireAsync(long triggerId, DateTimeOffset? nextFireAt, CancellationToken cancellationToken) =>
        Write(scope => scope.Execute(
            "UPDATE triggers SET next_fire_at = @next WHERE id = @id", ("@next", Ms(nextFireAt)), ("@id", triggerId)));

    private static DateTimeOffset? ScalarTime(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is null or DBNull ? null : Time(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
