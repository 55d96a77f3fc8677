using System.Text.Json;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// Versions of a workflow job's definition. Saving a job whose workflow differs from its latest version stores a new
/// version (1 for the first); a workflow run records the version it started with and goes on with that definition, stored
/// with it, whatever is saved later, until it ends or is migrated by hand (<see cref="WorkflowRuns.MigrateAsync"/>).
/// </summary>
internal static class WorkflowVersions
{
    /// <summary>The version of <paramref name="jobName"/> whose definition is <paramref name="spec"/>: its latest, or a new one stored now.</summary>
    public static async ValueTask<int> RecordAsync(IDriverTransaction tx, string jobName, WorkflowExecutorSpec spec, DateTimeOffset now)
    {
        var definition = Serialize(spec);
        var latest = await tx.GetWorkflowVersionAsync(jobName, null).ConfigureAwait(false);
        if (latest?.Definition == definition)
        {
            return latest.Version;
        }
        var version = (latest?.Version ?? 0) + 1;
        await tx.InsertWorkflowVersionAsync(new WorkflowVersionRow(jobName, version, definition, now)).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, "workflow.version-saved", jobName, null, null,
            JsonSerializer.Serialize(new { version }, KairosJson.Options)).ConfigureAwait(false);
        return version;
    }

    /// <summary>The definition as stored with a version and a workflow run.</summary>
    public static string Serialize(WorkflowExecutorSpec spec) => JsonSerializer.Serialize<ExecutorSpec>(spec, KairosJson.Options);

    /// <summary>A stored definition read back; null when it is no workflow's.</summary>
    public static WorkflowExecutorSpec? Parse(string definition) => JsonSerializer.Deserialize<ExecutorSpec>(definition, KairosJson.Options) as WorkflowExecutorSpec;
}
