using System.Text.Json;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>Moving one workflow run in flight onto another version of its job's definition (<see cref="WorkflowVersions"/>).</summary>
internal static partial class WorkflowRuns
{
    /// <summary>
    /// Workflow run <paramref name="workflowRunId"/> goes on with version <paramref name="version"/> of its job's definition, when
    /// every step of it that has started or ended is in that version: its steps still pending that the version does not have are
    /// dropped, the version's new steps are added pending, and the steps whose needs are now met start.
    /// </summary>
    /// <exception cref="KairosNotFoundException">The run is no workflow's, or its job has no such version.</exception>
    /// <exception cref="KairosConflictException">The run has ended, or steps that started or ended are missing from the version (named).</exception>
    public static async ValueTask MigrateAsync(IDriverTransaction tx, long workflowRunId, int version, DateTimeOffset now)
    {
        var w = await LoadForAsync(tx, workflowRunId, WorkflowOperation.Migrate).ConfigureAwait(false);
        var target = await tx.GetWorkflowVersionAsync(w.Run.JobName, version).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"workflow '{w.Run.JobName}' has no version {version}");
        var spec = WorkflowVersions.Parse(target.Definition)!;
        var ids = spec.Steps.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var steps = w.Stored.Steps.Where(s => !StepItems.IsItem(s.StepId)).ToList();
        var missing = steps.Where(s => s.State != StepStates.Pending && !ids.Contains(s.StepId)).Select(s => $"'{s.StepId}'").ToList();
        if (missing.Count > 0)
        {
            throw new KairosConflictException(
                $"workflow run {workflowRunId} cannot move to version {version}: it has no step {string.Join(", ", missing)}, which the run has started or ended");
        }
        var dropped = steps.Where(s => !ids.Contains(s.StepId)).Select(s => s.StepId).ToList();
        var next = w.Stored.Steps.Max(s => s.Ordinal) + 1;
        var added = spec.Steps.Where(s => steps.All(r => r.StepId != s.Id)).Select((s, i) => new WorkflowStepRow(s.Id, next + i, StepStates.Pending)).ToList();
        await tx.DeleteWorkflowStepsAsync(workflowRunId, dropped).ConfigureAwait(false);
        await tx.InsertWorkflowStepsAsync(workflowRunId, added).ConfigureAwait(false);
        await tx.SetWorkflowDefinitionAsync(workflowRunId, version, target.Definition).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, "workflow.migrated", w.Run.JobName, w.Run.Id, null,
            JsonSerializer.Serialize(new { from = w.Stored.Workflow.Version, to = version, added = added.Select(s => s.StepId), dropped }, KairosJson.Options)).ConfigureAwait(false);
        await AdvanceAsync(tx, (await LoadAsync(tx, workflowRunId).ConfigureAwait(false))!, now).ConfigureAwait(false);
    }
}
