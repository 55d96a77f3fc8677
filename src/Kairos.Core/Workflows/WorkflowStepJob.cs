using Kairos.Engine.Definitions;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// The internal job whose runs execute the steps (and compensations) written inline in a workflow:
/// each run takes its executor, retry and timeout from the step as the workflow run's definition
/// has it (<see cref="WorkflowStepRuns"/>), its queue and priority from the workflow run. Created the
/// first time a workflow needs it.
/// </summary>
internal static class WorkflowStepJob
{
    public const string Name = "kairos.step";

    /// <summary>The executor kind of a step that only waits (<see cref="WorkflowStep.Sleep"/>).</summary>
    public const string SleepKind = "sleep";

    private static readonly JobDefinition Definition = new()
    {
        Name = Name,
        Executor = new HandlerExecutorSpec("noop"),
    };

    public static async ValueTask<JobSettings> SettingsAsync(IDriverTransaction tx, DateTimeOffset now)
    {
        if (await tx.GetJobSettingsAsync(Name).ConfigureAwait(false) is { } settings)
        {
            return settings;
        }
        await JobDefinitions.SaveAsync(tx, Definition, [], now).ConfigureAwait(false);
        return await tx.GetJobSettingsAsync(Name).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the internal job '{Name}' was not saved");
    }
}
