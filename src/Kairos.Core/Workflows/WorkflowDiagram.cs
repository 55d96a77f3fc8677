using System.Text;
using Kairos.Model;

namespace Kairos.Workflows;

/// <summary>A workflow's graph for people: as text (a line per step, in definition order), or for drawing as Mermaid or DOT.</summary>
internal static class WorkflowDiagram
{
    public static string Text(WorkflowExecutorSpec workflow)
    {
        var text = new StringBuilder();
        text.Append("on failure: ").AppendLine(workflow.OnFailure.ToString().ToLowerInvariant());
        foreach (var step in workflow.Steps)
        {
            text.Append(step.Id).Append(": ").Append(What(step));
            if (step.Needs.Count > 0)
            {
                text.Append(" after ").Append(string.Join(", ", step.Needs));
            }
            if (step.RunIf != StepRunIf.Success)
            {
                text.Append(step.RunIf == StepRunIf.Always ? " (always)" : " (on failure)");
            }
            if (step.When is { } when)
            {
                text.Append(" when ").Append(StepCondition.Display(when));
            }
            if (step.Compensate is { } compensate)
            {
                text.Append("; undone by ").Append(What(compensate));
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    public static string Mermaid(WorkflowExecutorSpec workflow)
    {
        var text = new StringBuilder("flowchart TD\n");
        foreach (var step in workflow.Steps)
        {
            text.Append("  ").Append(step.Id).Append("[\"").Append(Quoted(step.Id + ": " + What(step))).AppendLine("\"]");
        }
        foreach (var (from, to, when) in Edges(workflow))
        {
            text.Append("  ").Append(from).Append(when is null ? " --> " : $" -- \"{when}\" --> ").AppendLine(to);
        }
        return text.ToString();
    }

    public static string Dot(WorkflowExecutorSpec workflow)
    {
        var text = new StringBuilder("digraph workflow {\n  rankdir=TB;\n");
        foreach (var step in workflow.Steps)
        {
            text.Append("  \"").Append(step.Id).Append("\" [label=\"").Append(Quoted(step.Id + "\\n" + What(step))).AppendLine("\"];");
        }
        foreach (var (from, to, when) in Edges(workflow))
        {
            text.Append("  \"").Append(from).Append("\" -> \"").Append(to).Append('"').Append(when is null ? "" : $" [label=\"{when}\"]").AppendLine(";");
        }
        return text.Append("}\n").ToString();
    }

    /// <summary>Each need as an edge to the step that needs it, labelled with the step's condition (quotes made single).</summary>
    private static IEnumerable<(string From, string To, string? When)> Edges(WorkflowExecutorSpec workflow) =>
        workflow.Steps.SelectMany(step => step.Needs.Select(need => (need, step.Id, step.When is { } when ? Quoted(StepCondition.Display(when)) : null)));

    /// <summary>What a step or compensation runs, in a few words: "job charge", "handler check-stock", "sleep 5m".</summary>
    internal static string What(WorkflowAction action) => action switch
    {
        WorkflowStep { Sleep: { } sleep } => "sleep " + Configuration.Durations.Format(sleep),
        WorkflowStep { WaitForEvent: { } wait } => $"wait for {wait.Type} ({Configuration.Durations.Format(wait.Timeout)})",
        { Job: { } job } => "job " + job,
        { Run: HandlerExecutorSpec handler } => "handler " + handler.Handler,
        { Run: CommandExecutorSpec command } => "command " + command.Argv[0],
        { Run: HttpExecutorSpec http } => $"http {http.Method} {http.Url}",
        _ => "?",
    };

    private static string Quoted(string text) => text.Replace("\"", "'", StringComparison.Ordinal);
}
