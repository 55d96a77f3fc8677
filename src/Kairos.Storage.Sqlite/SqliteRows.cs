using System.Text.Json;
using Kairos.Model;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>Maps rows to records; the column lists here are the ones every SELECT of that record uses.</summary>
internal static class SqliteRows
{
    public const string RunColumns =
        "id, job_name, queue, executor_kind, priority, state, attempt, max_attempts, source, trigger_id, parent_run_id, " +
        "payload, output, error, idempotency_key, created_at, due_at, started_at, finished_at, lease_owner, lease_expires_at, cancel_requested";

    public const string TriggerColumns = "id, job_name, key, spec, next_fire_at, last_fire_at, created_at";

    public static RunRecord Run(SqliteDataReader r, long jobVersion = 0) => new()
    {
        Id = r.GetInt64(0),
        JobName = r.GetString(1),
        Queue = r.GetString(2),
        ExecutorKind = r.GetString(3),
        Priority = r.GetInt32(4),
        State = State(r.GetString(5)),
        Attempt = r.GetInt32(6),
        MaxAttempts = r.GetInt32(7),
        Source = r.GetString(8),
        TriggerId = NullableLong(r, 9),
        ParentRunId = NullableLong(r, 10),
        Payload = NullableString(r, 11),
        Output = NullableString(r, 12),
        Error = NullableString(r, 13),
        IdempotencyKey = NullableString(r, 14),
        CreatedAt = SqliteStore.Time(r.GetInt64(15)),
        DueAt = SqliteStore.Time(r.GetInt64(16)),
        StartedAt = NullableTime(r, 17),
        FinishedAt = NullableTime(r, 18),
        LeaseOwner = NullableString(r, 19),
        LeaseExpiresAt = NullableTime(r, 20),
        CancelRequested = r.GetInt64(21) != 0,
        JobVersion = jobVersion,
    };

    // RunStates.Parse walks every state for each call; rows are read often enough for a lookup to matter.
    private static readonly Dictionary<string, RunState> States = Enum.GetValues<RunState>().ToDictionary(s => s.ToWire(), StringComparer.Ordinal);

    public static RunState State(string wire) => States.TryGetValue(wire, out var state) ? state : RunStates.Parse(wire);

    public static TriggerState Trigger(SqliteDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        JsonSerializer.Deserialize<TriggerSpec>(r.GetString(3), KairosJson.Options)!,
        NullableTime(r, 4),
        NullableTime(r, 5),
        SqliteStore.Time(r.GetInt64(6)));

    public static List<T> ReadAll<T>(SqliteCommand command, Func<SqliteDataReader, T> map)
    {
        var list = new List<T>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            list.Add(map(reader));
        }
        return list;
    }

    public static long? NullableLong(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    public static string? NullableString(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static DateTimeOffset? NullableTime(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : SqliteStore.Time(r.GetInt64(i));
}
