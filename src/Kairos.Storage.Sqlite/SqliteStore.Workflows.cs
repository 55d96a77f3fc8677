using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Storage.Sqlite;

/// <summary>Workflow state's primitives (the rules are in src/Kairos.Core/Workflows).</summary>
internal sealed partial class SqliteStore
{
    public Task<StoredWorkflow?> GetWorkflowAsync(long runId, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var workflow = connection.CreateCommand();
            workflow.CommandText = $"SELECT {SqliteRows.WorkflowColumns} FROM workflow_runs WHERE run_id = @id";
            workflow.Parameters.AddWithValue("@id", runId);
            if (SqliteRows.ReadAll(workflow, r => SqliteRows.Workflow(new ReaderRow(r))).FirstOrDefault() is not { } row)
            {
                return null;
            }
            using var steps = connection.CreateCommand();
            steps.CommandText = $"SELECT {SqliteRows.WorkflowStepColumns} FROM workflow_steps WHERE run_id = @id ORDER BY ordinal";
            steps.Parameters.AddWithValue("@id", runId);
            return new StoredWorkflow(row, SqliteRows.ReadAll(steps, r => SqliteRows.WorkflowStep(new ReaderRow(r))));
        }, cancellationToken);

    public Task<WorkflowVersionRow?> GetWorkflowVersionAsync(string jobName, int? version, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = WorkflowVersionQuery;
            command.Parameters.AddWithValue("@job", jobName);
            command.Parameters.AddWithValue("@version", (object?)version ?? DBNull.Value);
            return SqliteRows.ReadAll(command, r => new WorkflowVersionRow(r.GetString(0), r.GetInt32(1), r.GetString(2), Time(r.GetInt64(3)))).FirstOrDefault();
        }, cancellationToken);

    private const string WorkflowVersionQuery = """
        SELECT job_name, version, definition, created_at FROM workflow_versions
        WHERE job_name = @job AND (@version IS NULL OR version = @version) ORDER BY version DESC LIMIT 1
        """;

    private sealed partial class Transaction
    {
        public ValueTask<bool> FinishWaitingRunAsync(long runId, RunState state, string? output, string? error, DateTimeOffset at) =>
            ValueTask.FromResult(scope.Execute(
                "UPDATE runs SET state = @state, output = @output, error = @error, finished_at = @at WHERE id = @id AND state = 'waiting'",
                ("@state", state.ToWire()), ("@output", output), ("@error", error), ("@at", Ms(at)), ("@id", runId)) == 1);

        public ValueTask ReopenRunWaitingAsync(long runId)
        {
            scope.Execute("UPDATE runs SET state = 'waiting', output = NULL, error = NULL, finished_at = NULL, cancel_requested = 0 WHERE id = @id", ("@id", runId));
            return ValueTask.CompletedTask;
        }

        public ValueTask InsertWorkflowAsync(WorkflowRow workflow)
        {
            scope.Execute(
                $"INSERT INTO workflow_runs ({SqliteRows.WorkflowColumns}) VALUES (@run, @job, @state, @definition, @error, @created, @finished, @timeout, @version)",
                ("@run", workflow.RunId), ("@job", workflow.JobName), ("@state", workflow.State), ("@definition", workflow.Definition),
                ("@error", workflow.Error), ("@created", Ms(workflow.CreatedAt)), ("@finished", Ms(workflow.FinishedAt)), ("@timeout", workflow.TimeoutRunId),
                ("@version", workflow.Version));
            return ValueTask.CompletedTask;
        }

        public ValueTask InsertWorkflowStepsAsync(long runId, IReadOnlyList<WorkflowStepRow> steps)
        {
            foreach (var step in steps)
            {
                scope.Execute(
                    $"""
                    INSERT INTO workflow_steps (run_id, {SqliteRows.WorkflowStepColumns})
                    VALUES (@run, @step, @ordinal, @state, @stepRun, @output, @error, @started, @finished, @seq, @compensation, @compensationState)
                    """,
                    StepParameters(runId, step));
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask<StoredWorkflow?> GetWorkflowForUpdateAsync(long runId)
        {
            // One writer: the rows are the transaction's until it ends.
            if (scope.Query($"SELECT {SqliteRows.WorkflowColumns} FROM workflow_runs WHERE run_id = @id", SqliteRows.Workflow, ("@id", runId)).FirstOrDefault() is not { } row)
            {
                return ValueTask.FromResult<StoredWorkflow?>(null);
            }
            var steps = scope.Query($"SELECT {SqliteRows.WorkflowStepColumns} FROM workflow_steps WHERE run_id = @id ORDER BY ordinal", SqliteRows.WorkflowStep, ("@id", runId));
            return ValueTask.FromResult<StoredWorkflow?>(new StoredWorkflow(row, steps));
        }

        // One writer at a time: every row is held already.
        public ValueTask LockWorkflowsAsync(IReadOnlyList<long> stepRunIds, IReadOnlyList<long> workflowRunIds) => ValueTask.CompletedTask;

        public ValueTask UpdateWorkflowAsync(long runId, string state, string? error, DateTimeOffset? finishedAt)
        {
            scope.Execute("UPDATE workflow_runs SET state = @state, error = @error, finished_at = @finished WHERE run_id = @id",
                ("@state", state), ("@error", error), ("@finished", Ms(finishedAt)), ("@id", runId));
            return ValueTask.CompletedTask;
        }

        public ValueTask SetWorkflowTimeoutAsync(long runId, long? timeoutRunId)
        {
            scope.Execute("UPDATE workflow_runs SET timeout_run_id = @timeout WHERE run_id = @id", ("@timeout", timeoutRunId), ("@id", runId));
            return ValueTask.CompletedTask;
        }

        public ValueTask SaveWorkflowStepsAsync(long runId, IReadOnlyList<WorkflowStepRow> steps)
        {
            foreach (var step in steps)
            {
                scope.Execute(
                    """
                    UPDATE workflow_steps SET state = @state, step_run_id = @stepRun, output = @output, error = @error, started_at = @started,
                        finished_at = @finished, ended_seq = @seq, compensation_run_id = @compensation, compensation_state = @compensationState
                    WHERE run_id = @run AND step_id = @step
                    """,
                    StepParameters(runId, step));
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask DeleteWorkflowStepsAsync(long runId, IReadOnlyList<string> stepIds)
        {
            foreach (var step in stepIds)
            {
                scope.Execute("DELETE FROM workflow_steps WHERE run_id = @run AND step_id = @step", ("@run", runId), ("@step", step));
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask SetWorkflowDefinitionAsync(long runId, int version, string definition)
        {
            scope.Execute("UPDATE workflow_runs SET definition = @definition, version = @version WHERE run_id = @id", ("@definition", definition), ("@version", version), ("@id", runId));
            return ValueTask.CompletedTask;
        }

        public ValueTask<WorkflowVersionRow?> GetWorkflowVersionAsync(string jobName, int? version) =>
            ValueTask.FromResult(scope.Query(WorkflowVersionQuery,
                r => new WorkflowVersionRow(r.Text(0), (int)r.Int64(1), r.Text(2), Time(r.Int64(3))), ("@job", jobName), ("@version", version)).FirstOrDefault());

        public ValueTask InsertWorkflowVersionAsync(WorkflowVersionRow version)
        {
            scope.Execute("INSERT INTO workflow_versions (job_name, version, definition, created_at) VALUES (@job, @version, @definition, @created)",
                ("@job", version.JobName), ("@version", version.Version), ("@definition", version.Definition), ("@created", Ms(version.CreatedAt)));
            return ValueTask.CompletedTask;
        }

        private static (string, object?)[] StepParameters(long runId, WorkflowStepRow step) =>
        [
            ("@run", runId), ("@step", step.StepId), ("@ordinal", step.Ordinal), ("@state", step.State), ("@stepRun", step.RunId),
            ("@output", step.Output), ("@error", step.Error), ("@started", Ms(step.StartedAt)), ("@finished", Ms(step.FinishedAt)),
            ("@seq", step.EndedSeq), ("@compensation", step.CompensationRunId), ("@compensationState", step.CompensationState),
        ];
    }
}
