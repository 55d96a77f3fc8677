using System.Text.Json;
using Kairos.Model;
using Kairos.Storage.Drivers;
using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>Maps rows to records; the column lists here are the ones every SELECT of that record uses.</summary>
internal static class PostgresRows
{
    public const string RunColumns =
        "id, job_name, queue, executor_kind, priority, state, attempt, max_attempts, source, trigger_id, parent_run_id, " +
        "payload, output, error, idempotency_key, created_at, due_at, started_at, finished_at, lease_owner, lease_expires_at, cancel_requested, " +
        "event_id, subscription, chain_depth";

    public const string TriggerColumns = "id, job_name, key, spec, next_fire_at, last_fire_at, created_at";

    public static RunRecord Run(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        JobName = r.GetString(1),
        Queue = r.GetString(2),
        ExecutorKind = r.GetString(3),
        Priority = (int)r.GetInt64(4),
        State = RunStates.Parse(r.GetString(5)),
        Attempt = (int)r.GetInt64(6),
        MaxAttempts = (int)r.GetInt64(7),
        Source = r.GetString(8),
        TriggerId = Long(r, 9),
        ParentRunId = Long(r, 10),
        Payload = Text(r, 11),
        Output = Text(r, 12),
        Error = Text(r, 13),
        IdempotencyKey = Text(r, 14),
        CreatedAt = PostgresStore.Time(r.GetInt64(15)),
        DueAt = PostgresStore.Time(r.GetInt64(16)),
        StartedAt = Time(r, 17),
        FinishedAt = Time(r, 18),
        LeaseOwner = Text(r, 19),
        LeaseExpiresAt = Time(r, 20),
        CancelRequested = r.GetBoolean(21),
        EventId = Long(r, 22),
        Subscription = Text(r, 23),
        ChainDepth = (int)r.GetInt64(24),
    };

    public static TriggerState Trigger(NpgsqlDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        JsonSerializer.Deserialize<TriggerSpec>(r.GetString(3), KairosJson.Options)!,
        Time(r, 4),
        Time(r, 5),
        PostgresStore.Time(r.GetInt64(6)));

    public const string WorkflowColumns = "run_id, job_name, state, definition, error, created_at, finished_at, timeout_run_id, version";

    public static WorkflowRow Workflow(NpgsqlDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), PostgresStore.Time(r.GetInt64(5)))
        {
            Error = Text(r, 4), FinishedAt = Time(r, 6), TimeoutRunId = Long(r, 7), Version = r.IsDBNull(8) ? null : r.GetInt32(8),
        };

    public const string WorkflowStepColumns =
        "step_id, ordinal, state, step_run_id, output, error, started_at, finished_at, ended_seq, compensation_run_id, compensation_state";

    public static WorkflowStepRow WorkflowStep(NpgsqlDataReader r) => new(r.GetString(0), r.GetInt32(1), r.GetString(2))
    {
        RunId = Long(r, 3),
        Output = Text(r, 4),
        Error = Text(r, 5),
        StartedAt = Time(r, 6),
        FinishedAt = Time(r, 7),
        EndedSeq = r.IsDBNull(8) ? null : r.GetInt32(8),
        CompensationRunId = Long(r, 9),
        CompensationState = Text(r, 10),
    };

    public static long? Long(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    public static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    public static DateTimeOffset? Time(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : PostgresStore.Time(r.GetInt64(i));
}
