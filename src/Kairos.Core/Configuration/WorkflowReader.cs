using System.Text.RegularExpressions;
using Kairos.Model;
using Kairos.Workflows;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>
/// Reads a job's <c>workflow:</c> into a <see cref="WorkflowExecutorSpec"/>. Each step takes the keys of
/// a job's executor (<c>job</c>, <c>handler</c>, <c>command</c>, <c>http</c>), <c>sleep</c> or <c>waitForEvent</c>; <c>input</c>
/// and <c>output</c> are JSON templates written as YAML (a mapping) or as text. The graph rules
/// (<see cref="WorkflowRules"/>) are then checked, each error placed at its step.
/// </summary>
internal static partial class WorkflowReader
{
    private static readonly string[] ActionKeys = ["job", "handler", "command", "http", "input", "retry", "timeout"];

    [GeneratedRegex(@"^workflow\.steps\[(\d+)\]")]
    private static partial Regex StepField();

    public static WorkflowExecutorSpec? Read(string jobName, YamlNode node, YamlNodes nodes, Func<string, bool>? handlerExists)
    {
        var errorsBefore = nodes.Errors.Count;
        var f = nodes.Fields(node, "workflow", "steps", "onFailure", "output", "timeout");
        if (!f.TryGetValue("steps", out var stepsNode))
        {
            nodes.Error(node, "a workflow needs steps: a list of steps, each with an id");
            return null;
        }
        var stepNodes = nodes.Sequence(stepsNode, "workflow.steps");
        var steps = stepNodes.Select(n => ReadStep(jobName, n, nodes, handlerExists)).ToList();
        var workflow = new WorkflowExecutorSpec(steps.OfType<WorkflowStep>().ToList())
        {
            OnFailure = f.TryGetValue("onFailure", out var onFailure)
                ? nodes.Enum(onFailure, "onFailure", ("fail", WorkflowFailure.Fail), ("compensate", WorkflowFailure.Compensate), ("continue", WorkflowFailure.Continue)) ?? WorkflowFailure.Fail
                : WorkflowFailure.Fail,
            Output = f.TryGetValue("output", out var output) ? Template(output) : null,
            Timeout = f.TryGetValue("timeout", out var timeout) ? nodes.Duration(timeout, "timeout") : null,
        };
        if (nodes.Errors.Count > errorsBefore)
        {
            return null;
        }
        var errors = new List<string>();
        WorkflowRules.Validate(jobName, workflow, handlerExists, errors);
        foreach (var error in errors)
        {
            var at = StepField().Match(error) is { Success: true } m && int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) is var i && i < stepNodes.Count
                ? Within(stepNodes[i], error[m.Length..])
                : error.StartsWith("workflow.output", StringComparison.Ordinal) && output is not null ? output : node;
            nodes.Error(at, error);
        }
        return errors.Count == 0 ? workflow : null;
    }

    /// <summary>
    /// The node an error's field names below a step (<c>.when.all[1].op</c>), as deep as the YAML goes, so
    /// the error carries the line of the very key at fault.
    /// </summary>
    private static YamlNode Within(YamlNode step, string rest)
    {
        var node = step;
        foreach (Match part in FieldPart().Matches(rest[..Math.Max(0, rest.IndexOf(':', StringComparison.Ordinal))]))
        {
            YamlNode? next = node switch
            {
                YamlMappingNode mapping when part.Groups[1].Success => mapping.Children.TryGetValue(new YamlScalarNode(part.Groups[1].Value), out var value) ? value : null,
                YamlSequenceNode sequence when part.Groups[2].Success && int.TryParse(part.Groups[2].Value, out var i) && i < sequence.Children.Count => sequence.Children[i],
                _ => null,
            };
            if (next is null)
            {
                break;
            }
            node = next;
        }
        return node;
    }

    [GeneratedRegex(@"\G(?:\.([A-Za-z]+)|\[(\d+)\])")]
    private static partial Regex FieldPart();

    private static WorkflowStep? ReadStep(string jobName, YamlNode node, YamlNodes nodes, Func<string, bool>? handlerExists)
    {
        var f = nodes.Fields(node, "a workflow step", [.. ActionKeys, "id", "needs", "when", "runIf", "sleep", "waitForEvent", "compensate", "forEach", "maxParallel"]);
        if (!f.TryGetValue("id", out var idNode) || nodes.String(idNode, "id") is not { } id)
        {
            nodes.Error(node, "a workflow step needs an id");
            return null;
        }
        var action = ReadAction(jobName, node, f, nodes, handlerExists, allowSleep: true);
        return new WorkflowStep(id)
        {
            Job = action.Job,
            Run = action.Run,
            Input = action.Input,
            Retry = action.Retry,
            Timeout = action.Timeout,
            Needs = f.TryGetValue("needs", out var needs)
                ? needs is YamlScalarNode ? [nodes.String(needs, "needs") ?? ""] : nodes.Sequence(needs, "needs").Select(n => nodes.String(n, "a step in needs") ?? "").ToList()
                : [],
            When = f.TryGetValue("when", out var when) ? Condition(when, nodes, "when") : null,
            RunIf = f.TryGetValue("runIf", out var runIf)
                ? nodes.Enum(runIf, "runIf", ("success", StepRunIf.Success), ("always", StepRunIf.Always), ("on-failure", StepRunIf.OnFailure)) ?? StepRunIf.Success
                : StepRunIf.Success,
            Sleep = f.TryGetValue("sleep", out var sleep) ? nodes.Duration(sleep, "sleep") : null,
            WaitForEvent = f.TryGetValue("waitForEvent", out var wait) ? ReadWait(wait, nodes) : null,
            ForEach = f.TryGetValue("forEach", out var forEach) ? nodes.String(forEach, "forEach") : null,
            MaxParallel = f.TryGetValue("maxParallel", out var maxParallel) ? nodes.Int(maxParallel, "maxParallel", 1, 1000) : null,
            Compensate = f.TryGetValue("compensate", out var compensate)
                ? ReadAction(jobName, compensate, nodes.Fields(compensate, "compensate", ActionKeys), nodes, handlerExists, allowSleep: false)
                : null,
        };
    }

    /// <summary><c>waitForEvent: { type, match, timeout }</c>; type and timeout are required.</summary>
    private static EventWait? ReadWait(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "waitForEvent", "type", "match", "timeout");
        var type = f.TryGetValue("type", out var typeNode) ? nodes.String(typeNode, "type") : null;
        var timeout = f.TryGetValue("timeout", out var timeoutNode) ? nodes.Duration(timeoutNode, "timeout") : null;
        if (!f.ContainsKey("type") || !f.ContainsKey("timeout"))
        {
            nodes.Error(node, "waitForEvent needs a type (an event type or pattern) and a timeout (a duration such as 30m)");
        }
        return type is null || timeout is null ? null
            : new EventWait(type, timeout.Value) { Match = f.TryGetValue("match", out var match) ? Condition(match, nodes, "match") : null };
    }

    private static WorkflowAction ReadAction(string jobName, YamlNode node, Dictionary<string, YamlNode> f, YamlNodes nodes, Func<string, bool>? handlerExists, bool allowSleep)
    {
        ExecutorSpec? run = null;
        if (new[] { "handler", "command", "http" }.Any(f.ContainsKey))
        {
            var executorKeys = f.Where(kv => kv.Key is "handler" or "command" or "http").ToDictionary();
            run = JobReader.ReadExecutor(jobName, node, executorKeys, nodes, handlerExists);
        }
        return new WorkflowAction
        {
            Job = f.TryGetValue("job", out var job) ? nodes.String(job, "job") : null,
            Run = run,
            Input = f.TryGetValue("input", out var input) ? Template(input) : null,
            Retry = f.TryGetValue("retry", out var retry) ? JobReader.ReadRetry(retry, nodes) : null,
            Timeout = f.TryGetValue("timeout", out var timeout) ? nodes.TimerDuration(timeout, "timeout") : null,
        };
    }

    /// <summary>A condition: text as written, or the structured form (a mapping) as its JSON.</summary>
    private static string? Condition(YamlNode node, YamlNodes nodes, string what)
    {
        if (node is YamlSequenceNode)
        {
            nodes.Error(node, $"{what} is a text condition or a mapping (all, any, not, or left, op and right), not a list");
            return null;
        }
        return node is YamlMappingNode ? Template(node) : nodes.String(node, what);
    }

    /// <summary>A template as text: a YAML mapping or list becomes its JSON, text stays as written.</summary>
    private static string? Template(YamlNode node) =>
        node is YamlScalarNode scalar ? scalar.Value : YamlNodes.ToJson(node)?.ToJsonString();
}
