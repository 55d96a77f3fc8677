using Kairos.Engine.Definitions;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// The internal job whose runs execute the steps (and compensations) written inline in a workflow:
/// each run takes its executor, retry and timeout from the step as the workflow run's definition
/// has it (<see cref="WorkflowStepRuns"/>), its queue and priority from the workflow run. There is
/// one per namespace (<c>billing/kairos.step</c> for a workflow of billing), so a namespace's steps
/// stay in it; each is created the first time a workflow there needs it.
/// </summary>
internal static class WorkflowStepJob
{
    public const string Name = "kairos.step";

    /// <summary>The step job of the namespace of <paramref name="workflowJob"/>.</summary>
    public static string For(string workflowJob) => Access.Namespaces.Qualify(Access.Namespaces.Of(workflowJob), Name);

    /// <summary>Whether runs of <paramref name="jobName"/> are workflows' inline steps.</summary>
    public static bool Is(string jobName) => Access.Namespaces.Local(jobName) == Name;

    /// <summary>The executor kind of a step that only waits (<see cref="WorkflowStep.Sleep"/>).</summary>
    public const string SleepKind = "sleep";

    /// <summary>The executor kind of the runs a <see cref="WorkflowStep.WaitForEvent"/> step waits in.</summary>
    public const string WaitKind = "wait";

    /// <summary>The executor kind of the run that fires a workflow's <see cref="WorkflowExecutorSpec.Timeout"/>: due then, it only ends.</summary>
    public const string TimeoutKind = "timeout";

    public static async ValueTask<JobSettings> SettingsAsync(IDriverTransaction tx, string name, DateTimeOffset now)
    {
        if (await tx.GetJobSettingsAsync(name).ConfigureAwait(false) is { } settings)
        {
            return settings;
        }
        await JobDefinitions.SaveAsync(tx, new JobDefinition { Name = name, Executor = new HandlerExecutorSpec("noop") }, [], now).ConfigureAwait(false);
        return await tx.GetJobSettingsAsync(name).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the internal job '{name}' was not saved");
    }
}
