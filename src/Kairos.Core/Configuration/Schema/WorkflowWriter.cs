using System.Text.Json.Nodes;
using Kairos.Model;
using static Kairos.Configuration.Schema.DefinitionWriter;

namespace Kairos.Configuration.Schema;

/// <summary>Renders a workflow in the schema of the YAML file (<see cref="WorkflowDocument"/>); templates stay text as stored.</summary>
internal static class WorkflowWriter
{
    public static WorkflowDocument Workflow(WorkflowExecutorSpec workflow) => new(workflow.Steps.Select(Step).ToList())
    {
        OnFailure = workflow.OnFailure == WorkflowFailure.Fail ? null : workflow.OnFailure,
        Output = workflow.Output,
        Timeout = Duration(workflow.Timeout),
    };

    private static WorkflowStepDocument Step(WorkflowStep step) => (WorkflowStepDocument)Action(new WorkflowStepDocument(step.Id)
    {
        Needs = NoneIfEmpty(step.Needs),
        When = Condition(step.When),
        RunIf = step.RunIf == StepRunIf.Success ? null : step.RunIf,
        Sleep = Duration(step.Sleep),
        WaitForEvent = step.WaitForEvent is { } wait ? new WorkflowWaitDocument(wait.Type, Durations.Format(wait.Timeout), Condition(wait.Match)) : null,
        ForEach = step.ForEach,
        MaxParallel = step.MaxParallel,
        Compensate = step.Compensate is { } compensate ? Action(new WorkflowActionDocument(), compensate) : null,
    }, step);

    /// <summary>A condition in the form it was saved: the structured one as its object, text as text.</summary>
    private static JsonNode? Condition(string? condition) =>
        condition is null ? null : Workflows.StepCondition.IsStructured(condition) ? JsonNode.Parse(condition) : JsonValue.Create(condition);

    /// <summary>What a step or its compensation runs, set on <paramref name="document"/> (<c>with</c> keeps a step a step).</summary>
    private static WorkflowActionDocument Action(WorkflowActionDocument document, WorkflowAction action)
    {
        var executor = Executor(action.Run);
        return document with
        {
            Job = action.Job,
            Handler = executor.Handler,
            Command = executor.Command,
            Http = executor.Http,
            Input = action.Input,
            Retry = action.Retry is { } retry ? Retry(retry) : null,
            Timeout = Duration(action.Timeout),
        };
    }
}
