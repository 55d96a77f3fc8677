using System.Text.Json.Serialization;

namespace Kairos.Model;

/// <summary>
/// A workflow: a job whose run executes a graph of steps. Each step is an ordinary run (of another
/// job, or of an executor written inline), started when the steps it <see cref="WorkflowStep.Needs"/>
/// have ended; steps whose needs are met run in parallel. The workflow's state is kept in rows and
/// advanced in the transaction that stores each step's outcome, so nothing is ever replayed.
/// </summary>
public sealed record WorkflowExecutorSpec(IReadOnlyList<WorkflowStep> Steps) : ExecutorSpec
{
    [JsonIgnore]
    public override string Kind => ExecutorKinds.Workflow;

    /// <summary>What a failed step does to the workflow. Default: <see cref="WorkflowFailure.Fail"/>.</summary>
    public WorkflowFailure OnFailure { get; init; } = WorkflowFailure.Fail;

    /// <summary>The workflow's output: a JSON template over <c>input</c> and <c>steps</c>; null: the outputs of all succeeded steps by id.</summary>
    public string? Output { get; init; }

    /// <summary>
    /// The longest the workflow may take from its start: past it, it fails (<c>timed out</c>) as a failed
    /// step would fail it: steps still going are cancelled, and with <see cref="WorkflowFailure.Compensate"/>
    /// the succeeded steps are compensated. Null: no limit.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    public const int MaxSteps = 200;
}

public enum WorkflowFailure
{
    /// <summary>The workflow ends dead at once; steps still queued or running are cancelled.</summary>
    Fail,

    /// <summary>As fail, then the compensations of the steps that succeeded run, each after those of the steps that needed it (parallel branches together).</summary>
    Compensate,

    /// <summary>The failed step counts as ended: steps that need it are skipped unless they run always or on failure.</summary>
    Continue,
}

/// <summary>When a step runs, given how the steps it needs ended.</summary>
public enum StepRunIf
{
    /// <summary>Only when every step it needs succeeded (the default); otherwise it is skipped.</summary>
    Success,

    /// <summary>Once every step it needs has ended, however.</summary>
    Always,

    /// <summary>Only when some step it needs failed (<c>on-failure</c>).</summary>
    OnFailure,
}

/// <summary>
/// What a step (or a compensation) runs: an existing <see cref="Job"/>, or an executor written inline
/// (<see cref="Run"/>), or for a step only, a <see cref="WorkflowStep.Sleep"/>. <see cref="Input"/> is a JSON template
/// over <c>{{input…}}</c> (the workflow run's payload) and <c>{{steps.ID.output…}}</c>: it becomes the
/// run's payload (default: the workflow's input).
/// </summary>
public record WorkflowAction
{
    public string? Job { get; init; }
    public ExecutorSpec? Run { get; init; }
    public string? Input { get; init; }

    /// <summary>Attempts and back-off of an inline executor (a job step keeps its job's). Default: <see cref="RetryPolicy.Default"/>.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>Time one attempt of an inline executor may take. Default: no limit.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>
/// What a <see cref="WorkflowStep.WaitForEvent"/> step waits for: an event of <see cref="Type"/> (a type,
/// or a pattern as subscriptions use, <c>order.*</c>) in the workflow's namespace, published after the
/// workflow run was created, for which <see cref="Match"/> holds. Nothing matching within
/// <see cref="Timeout"/>: the step succeeds with output <c>null</c>.
/// </summary>
public sealed record EventWait(string Type, TimeSpan Timeout)
{
    /// <summary>
    /// A condition in the language of <see cref="WorkflowStep.When"/> over <c>event</c> (<c>event.data.orderId</c>,
    /// <c>event.type</c>, <c>event.source</c>) and the run (<c>input…</c>, <c>steps.ID…</c>, also written as
    /// templates: <c>event.data.orderId == {{input.orderId}}</c>); the run's values are read when the wait starts. Null: any event of the type.
    /// </summary>
    public string? Match { get; init; }
}

/// <summary>One step of a <see cref="WorkflowExecutorSpec"/>.</summary>
public sealed record WorkflowStep(string Id) : WorkflowAction
{
    /// <summary>The steps that must end before this one starts (a join when there are several).</summary>
    public IReadOnlyList<string> Needs { get; init; } = [];

    /// <summary>
    /// A condition over <c>input</c> and <c>steps</c>; false: the step is skipped. Text
    /// (<c>steps.check.output.available &gt;= input.quantity</c>) or the structured form as JSON
    /// (<c>{"left": "{{steps.check.output.available}}", "op": "gte", "right": "{{input.quantity}}"}</c>,
    /// built with <see cref="WorkflowConditions"/>); it is kept and shown in the form it was given.
    /// </summary>
    public string? When { get; init; }

    public StepRunIf RunIf { get; init; } = StepRunIf.Success;

    /// <summary>Wait this long instead of running anything (a timer step).</summary>
    public TimeSpan? Sleep { get; init; }

    /// <summary>Wait for a published event instead of running anything: its data becomes the step's output (null when the wait timed out).</summary>
    public EventWait? WaitForEvent { get; init; }

    /// <summary>
    /// A template that gives a list (<c>{{steps.list.output.items}}</c>): the step runs once per item, its
    /// input reading <c>{{item}}</c> and <c>{{index}}</c>, and its output is the list of the items' outputs
    /// in order. It fails as soon as one item fails.
    /// </summary>
    public string? ForEach { get; init; }

    /// <summary>With <see cref="ForEach"/>: at most this many items run at once; null: all of them.</summary>
    public int? MaxParallel { get; init; }

    public const int MaxItems = 10_000;

    /// <summary>What undoes this step when the workflow fails with <see cref="WorkflowFailure.Compensate"/>.</summary>
    public WorkflowAction? Compensate { get; init; }
}
