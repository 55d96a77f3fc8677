using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Postgres;

/// <summary>Workflow state's primitives (the rules are in src/Kairos.Core/Workflows).</summary>
internal sealed partial class PostgresStore
{
    public Task<StoredWorkflow?> GetWorkflowAsync(long runId, CancellationToken cancellationToken) =>
        Read(scope => ReadWorkflow(scope, runId, forUpdate: false), cancellationToken);

    public Task<WorkflowVersionRow?> GetWorkflowVersionAsync(string jobName, int? version, CancellationToken cancellationToken) =>
        Read(scope => ReadWorkflowVersion(scope, jobName, version), cancellationToken);

    private static async Task<WorkflowVersionRow?> ReadWorkflowVersion(PgScope scope, string jobName, int? version) =>
        (await scope.Query(
            """
            SELECT job_name, version, definition, created_at FROM workflow_versions
            WHERE job_name = @job AND (@version::integer IS NULL OR version = @version::integer) ORDER BY version DESC LIMIT 1
            """,
            r => new WorkflowVersionRow(r.GetString(0), r.GetInt32(1), r.GetString(2), Time(r.GetInt64(3))), ("job", jobName), ("version", version)).ConfigureAwait(false))
        .FirstOrDefault();

    private static async Task<StoredWorkflow?> ReadWorkflow(PgScope scope, long runId, bool forUpdate)
    {
        var rows = await scope.Query($"SELECT {PostgresRows.WorkflowColumns} FROM workflow_runs WHERE run_id = @id{(forUpdate ? " FOR UPDATE" : "")}",
            PostgresRows.Workflow, ("id", runId)).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return null;
        }
        var steps = await scope.Query($"SELECT {PostgresRows.WorkflowStepColumns} FROM workflow_steps WHERE run_id = @id ORDER BY ordinal",
            PostgresRows.WorkflowStep, ("id", runId)).ConfigureAwait(false);
        return new StoredWorkflow(rows[0], steps);
    }

    private sealed partial class Transaction
    {
        public async ValueTask<bool> FinishWaitingRunAsync(long runId, RunState state, string? output, string? error, DateTimeOffset at) =>
            await scope.Execute(
                "UPDATE runs SET state = @state, output = @output::text, error = @error::text, finished_at = @at WHERE id = @id AND state = 'waiting'",
                ("state", state.ToWire()), ("output", output), ("error", error), ("at", Ms(at)), ("id", runId)).ConfigureAwait(false) == 1;

        public async ValueTask ReopenRunWaitingAsync(long runId) =>
            await scope.Execute("UPDATE runs SET state = 'waiting', output = NULL, error = NULL, finished_at = NULL, cancel_requested = false WHERE id = @id",
                ("id", runId)).ConfigureAwait(false);

        public async ValueTask InsertWorkflowAsync(WorkflowRow workflow) =>
            await scope.Execute(
                $"""
                INSERT INTO workflow_runs ({PostgresRows.WorkflowColumns})
                VALUES (@run, @job, @state, @definition, @error::text, @created, @finished::bigint, @timeout::bigint, @version::integer)
                """,
                ("run", workflow.RunId), ("job", workflow.JobName), ("state", workflow.State), ("definition", workflow.Definition),
                ("error", workflow.Error), ("created", Ms(workflow.CreatedAt)), ("finished", Ms(workflow.FinishedAt)), ("timeout", workflow.TimeoutRunId),
                ("version", workflow.Version)).ConfigureAwait(false);

        public async ValueTask InsertWorkflowStepsAsync(long runId, IReadOnlyList<WorkflowStepRow> steps)
        {
            foreach (var step in steps)
            {
                await scope.Execute(
                    $"""
                    INSERT INTO workflow_steps (run_id, {PostgresRows.WorkflowStepColumns})
                    VALUES (@run, @step, @ordinal, @state, @stepRun::bigint, @output::text, @error::text, @started::bigint, @finished::bigint,
                        @seq::integer, @compensation::bigint, @compensationState::text)
                    """,
                    StepParameters(runId, step)).ConfigureAwait(false);
            }
        }

        // Wait rows first, then workflow rows (WorkflowLocks): two statements, in that order; the first only
        // when there are steps (a workflow starting or moving on by itself has none).
        public async ValueTask LockWorkflowsAsync(IReadOnlyList<long> stepRunIds, IReadOnlyList<long> workflowRunIds)
        {
            if (stepRunIds.Count > 0)
            {
                await scope.Execute("SELECT run_id FROM workflow_waits WHERE run_id = ANY(@steps) ORDER BY run_id FOR UPDATE",
                    ("steps", stepRunIds.ToArray())).ConfigureAwait(false);
            }
            await scope.Execute("SELECT run_id FROM workflow_runs WHERE run_id = ANY(@workflows) ORDER BY run_id FOR UPDATE",
                ("workflows", workflowRunIds.ToArray())).ConfigureAwait(false);
        }

        public async ValueTask<StoredWorkflow?> GetWorkflowForUpdateAsync(long runId) => await ReadWorkflow(scope, runId, forUpdate: true).ConfigureAwait(false);

        public async ValueTask UpdateWorkflowAsync(long runId, string state, string? error, DateTimeOffset? finishedAt) =>
            await scope.Execute("UPDATE workflow_runs SET state = @state, error = @error::text, finished_at = @finished::bigint WHERE run_id = @id",
                ("state", state), ("error", error), ("finished", Ms(finishedAt)), ("id", runId)).ConfigureAwait(false);

        public async ValueTask SetWorkflowTimeoutAsync(long runId, long? timeoutRunId) =>
            await scope.Execute("UPDATE workflow_runs SET timeout_run_id = @timeout::bigint WHERE run_id = @id", ("timeout", timeoutRunId), ("id", runId)).ConfigureAwait(false);

        public async ValueTask SaveWorkflowStepsAsync(long runId, IReadOnlyList<WorkflowStepRow> steps)
        {
            foreach (var step in steps)
            {
                await scope.Execute(
                    """
                    UPDATE workflow_steps SET state = @state, step_run_id = @stepRun::bigint, output = @output::text, error = @error::text,
                        started_at = @started::bigint, finished_at = @finished::bigint, ended_seq = @seq::integer,
                        compensation_run_id = @compensation::bigint, compensation_state = @compensationState::text
                    WHERE run_id = @run AND step_id = @step
                    """,
                    StepParameters(runId, step)).ConfigureAwait(false);
            }
        }

        public async ValueTask DeleteWorkflowStepsAsync(long runId, IReadOnlyList<string> stepIds) =>
            await scope.Execute("DELETE FROM workflow_steps WHERE run_id = @run AND step_id = ANY(@steps)", ("run", runId), ("steps", stepIds.ToArray())).ConfigureAwait(false);

        public async ValueTask SetWorkflowDefinitionAsync(long runId, int version, string definition) =>
            await scope.Execute("UPDATE workflow_runs SET definition = @definition, version = @version WHERE run_id = @id",
                ("definition", definition), ("version", version), ("id", runId)).ConfigureAwait(false);

        public async ValueTask<WorkflowVersionRow?> GetWorkflowVersionAsync(string jobName, int? version) =>
            await ReadWorkflowVersion(scope, jobName, version).ConfigureAwait(false);

        public async ValueTask InsertWorkflowVersionAsync(WorkflowVersionRow version) =>
            await scope.Execute("INSERT INTO workflow_versions (job_name, version, definition, created_at) VALUES (@job, @version, @definition, @created)",
                ("job", version.JobName), ("version", version.Version), ("definition", version.Definition), ("created", Ms(version.CreatedAt))).ConfigureAwait(false);

        private static (string, object?)[] StepParameters(long runId, WorkflowStepRow step) =>
        [
            ("run", runId), ("step", step.StepId), ("ordinal", step.Ordinal), ("state", step.State), ("stepRun", step.RunId),
            ("output", step.Output), ("error", step.Error), ("started", Ms(step.StartedAt)), ("finished", Ms(step.FinishedAt)),
            ("seq", step.EndedSeq), ("compensation", step.CompensationRunId), ("compensationState", step.CompensationState),
        ];
    }
}
