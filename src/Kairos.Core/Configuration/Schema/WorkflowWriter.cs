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

    private static WorkflowStepDocument Step(WorkflowStep step)
    {
        var executor = Executor(step.Run);
        return new WorkflowStepDocument(step.Id)
        {
            Job = step.Job,
            Handler = executor.Handler,
            Command = executor.Command,
            Http = executor.Http,
            Input = step.Input,
            Retry = step.Retry is { } retry ? Retry(retry) : null,
            Timeout = Duration(step.Timeout),
            Needs = NoneIfEmpty(step.Needs),
            When = step.When,
            RunIf = step.RunIf == StepRunIf.Success ? null : step.RunIf,
            Sleep = Duration(step.Sleep),
            WaitForEvent = step.WaitForEvent is { } wait ? new WorkflowWaitDocument(wait.Type, Durations.Format(wait.Timeout), wait.Match) : null,
            ForEach = step.ForEach,
            MaxParallel = step.MaxParallel,
            Compensate = step.Compensate is { } compensate ? Action(compensate) : null,
        };
    }

    private static WorkflowActionDocument Action(WorkflowAction action)
    {
        var executor = Executor(action.Run);
        return new WorkflowActionDocument
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
