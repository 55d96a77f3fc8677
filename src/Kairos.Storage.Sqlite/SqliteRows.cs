using System.Text.Json;
using Kairos.Model;
using Kairos.Storage.Drivers;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>Maps rows to records; the column lists here are the ones every SELECT of that record uses.</summary>
internal static class SqliteRows
{
    public const string RunColumns =
        "id, job_name, queue, executor_kind, priority, state, attempt, max_attempts, source, trigger_id, parent_run_id, " +
        "payload, output, error, idempotency_key, created_at, due_at, started_at, finished_at, lease_owner, lease_expires_at, cancel_requested, " +
        "event_id, subscription, chain_depth";

    public const string TriggerColumns = "id, job_name, key, spec, next_fire_at, last_fire_at, created_at";

    public static RunRecord Run(SqliteDataReader r, long jobVersion = 0) => Run(new ReaderRow(r), jobVersion);

    public static RunRecord Run<TRow>(TRow r, long jobVersion = 0) where TRow : ISqliteRow => new()
    {
        Id = r.Int64(0),
        JobName = r.Text(1),
        Queue = r.Text(2),
        ExecutorKind = r.Text(3),
        Priority = (int)r.Int64(4),
        State = State(r.Text(5)),
        Attempt = (int)r.Int64(6),
        MaxAttempts = (int)r.Int64(7),
        Source = r.Text(8),
        TriggerId = Int64OrNull(r, 9),
        ParentRunId = Int64OrNull(r, 10),
        Payload = TextOrNull(r, 11),
        Output = TextOrNull(r, 12),
        Error = TextOrNull(r, 13),
        IdempotencyKey = TextOrNull(r, 14),
        CreatedAt = SqliteStore.Time(r.Int64(15)),
        DueAt = SqliteStore.Time(r.Int64(16)),
        StartedAt = TimeOrNull(r, 17),
        FinishedAt = TimeOrNull(r, 18),
        LeaseOwner = TextOrNull(r, 19),
        LeaseExpiresAt = TimeOrNull(r, 20),
        CancelRequested = r.Int64(21) != 0,
        EventId = Int64OrNull(r, 22),
        Subscription = TextOrNull(r, 23),
        ChainDepth = (int)r.Int64(24),
        JobVersion = jobVersion,
    };

    public const string WorkflowColumns = "run_id, job_name, state, definition, error, created_at, finished_at, timeout_run_id, version";

    public static WorkflowRow Workflow<TRow>(TRow r) where TRow : ISqliteRow =>
        new(r.Int64(0), r.Text(1), r.Text(2), r.Text(3), SqliteStore.Time(r.Int64(5)))
        {
            Error = TextOrNull(r, 4), FinishedAt = TimeOrNull(r, 6), TimeoutRunId = Int64OrNull(r, 7), Version = (int?)Int64OrNull(r, 8),
        };

    public const string WorkflowStepColumns =
        "step_id, ordinal, state, step_run_id, output, error, started_at, finished_at, ended_seq, compensation_run_id, compensation_state";

    public static WorkflowStepRow WorkflowStep<TRow>(TRow r) where TRow : ISqliteRow => new(r.Text(0), (int)r.Int64(1), r.Text(2))
    {
        RunId = Int64OrNull(r, 3),
        Output = TextOrNull(r, 4),
        Error = TextOrNull(r, 5),
        StartedAt = TimeOrNull(r, 6),
        FinishedAt = TimeOrNull(r, 7),
        EndedSeq = (int?)Int64OrNull(r, 8),
        CompensationRunId = Int64OrNull(r, 9),
        CompensationState = TextOrNull(r, 10),
    };

    public static long? Int64OrNull<TRow>(TRow r, int column) where TRow : ISqliteRow => r.IsNull(column) ? null : r.Int64(column);

    private static string? TextOrNull<TRow>(TRow r, int column) where TRow : ISqliteRow => r.IsNull(column) ? null : r.Text(column);

    private static DateTimeOffset? TimeOrNull<TRow>(TRow r, int column) where TRow : ISqliteRow =>
        r.IsNull(column) ? null : SqliteStore.Time(r.Int64(column));

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

    public static long? NullableLong(SqliteDataReader r, int i) => Int64OrNull(new ReaderRow(r), i);

    public static string? NullableString(SqliteDataReader r, int i) => TextOrNull(new ReaderRow(r), i);

    public static DateTimeOffset? NullableTime(SqliteDataReader r, int i) => TimeOrNull(new ReaderRow(r), i);
}
