using System.Text.RegularExpressions;
using Kairos.Model;

namespace Kairos.Workflows;

/// <summary>
/// What a workflow definition must meet, checked when it is saved (YAML, API, library): step ids,
/// what each step runs, <c>needs</c> naming existing steps with no cycle, and every condition and
/// template reading only <c>input</c> and steps that are sure to have ended before it (steps it
/// needs, directly or through others). Each error names its field (<c>workflow.steps[2].needs</c>).
/// </summary>
internal static partial class WorkflowRules
{
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,63}\\z")]
    private static partial Regex StepIdPattern();

    [GeneratedRegex(@"\{\{\s*([^{}]*?)\s*\}\}")]
    private static partial Regex TemplatePattern();

    public static void Validate(string jobName, WorkflowExecutorSpec workflow, Func<string, bool>? handlerExists, List<string> errors)
    {
        // JSON from the API may hold nulls where the model says there are none.
        if (workflow.Steps is null || workflow.Steps.Count is 0 or > WorkflowExecutorSpec.MaxSteps)
        {
            errors.Add($"workflow.steps: a workflow has 1 to {WorkflowExecutorSpec.MaxSteps} steps, not {workflow.Steps?.Count ?? 0}");
            return;
        }
        if (workflow.Steps.Select((s, i) => s is null ? $"workflow.steps[{i}]: a step cannot be null"
                : s.Needs is null || s.Needs.Contains(null!) ? $"workflow.steps[{i}].needs: a list of step ids, without nulls" : null)
            .FirstOrDefault(e => e is not null) is { } broken)
        {
            errors.Add(broken);
            return;
        }
        if (!Enum.IsDefined(workflow.OnFailure))
        {
            errors.Add("workflow.onFailure: one of fail, compensate, continue");
        }
        if (workflow.Timeout is { } timeout)
        {
            AddIf(errors, "workflow.timeout", JobRules.Period(timeout, "timeout"));
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < workflow.Steps.Count; i++)
        {
            var step = workflow.Steps[i];
            var field = $"workflow.steps[{i}]";
            if (step.Id is null || !StepIdPattern().IsMatch(step.Id))
            {
                errors.Add($"{field}.id: {Model.InputText.Quote(step.Id)} is not a step id: 1–64 letters, digits, '_' or '-', starting with a letter");
            }
            else if (!ids.Add(step.Id))
            {
                errors.Add($"{field}.id: step '{step.Id}' is declared twice");
            }
            CheckAction(jobName, step, field, allowSleep: true, handlerExists, errors);
            if (step.Compensate is { } compensate)
            {
                CheckAction(jobName, compensate, field + ".compensate", allowSleep: false, handlerExists, errors);
            }
            if (!Enum.IsDefined(step.RunIf))
            {
                errors.Add($"{field}.runIf: one of success, always, on-failure");
            }
            if (step.ForEach is not null && (step.Sleep is not null || step.WaitForEvent is not null))
            {
                errors.Add($"{field}.forEach: a {(step.Sleep is not null ? "sleep" : "waitForEvent")} step does not go over a list");
            }
            if (step.MaxParallel is { } maxParallel && (step.ForEach is null || maxParallel is < 1 or > 1000))
            {
                errors.Add($"{field}.maxParallel: 1 to 1000, on a forEach step only");
            }
        }
        var byId = workflow.Steps.Where(s => s.Id is not null).GroupBy(s => s.Id).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        for (var i = 0; i < workflow.Steps.Count; i++)
        {
            foreach (var need in workflow.Steps[i].Needs)
            {
                if (need == workflow.Steps[i].Id)
                {
                    errors.Add($"workflow.steps[{i}].needs: step '{need}' cannot need itself");
                }
                else if (!byId.ContainsKey(need))
                {
                    errors.Add($"workflow.steps[{i}].needs: there is no step '{need}'");
                }
            }
        }
        if (errors.Count > 0)
        {
            return; // The graph checks below assume ids and needs are sound.
        }
        if (Cycle(workflow) is { } cycle)
        {
            errors.Add($"workflow.steps: the needs form a cycle: {string.Join(" → ", cycle)}");
            return;
        }
        var before = Ancestors(workflow);
        for (var i = 0; i < workflow.Steps.Count; i++)
        {
            var step = workflow.Steps[i];
            var field = $"workflow.steps[{i}]";
            var known = before[step.Id];
            if (step.When is { } when)
            {
                CheckCondition(() => StepCondition.Parse(when), field + ".when", step.Id, known, errors);
            }
            if (step.WaitForEvent?.Match is { } match)
            {
                CheckCondition(() => EventMatch.Parse(match), field + ".waitForEvent.match", step.Id, known, errors);
            }
            CheckTemplates(step.Input, field + ".input", step.Id, known, errors, itemAllowed: step.ForEach is not null);
            CheckTemplates(step.ForEach, field + ".forEach", step.Id, known, errors);
            // A compensation runs after the step succeeded: it may also read the step's own output.
            CheckTemplates(step.Compensate?.Input, field + ".compensate.input", step.Id, [.. known, step.Id], errors);
        }
        CheckTemplates(workflow.Output, "workflow.output", null, byId.Keys.ToHashSet(StringComparer.Ordinal), errors);
    }

    /// <summary>For each step, the steps that are sure to have ended before it starts.</summary>
    public static Dictionary<string, HashSet<string>> Ancestors(WorkflowExecutorSpec workflow)
    {
        var byId = workflow.Steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        HashSet<string> Of(string id)
        {
            if (!result.TryGetValue(id, out var set))
            {
                set = new HashSet<string>(StringComparer.Ordinal);
                foreach (var need in byId[id].Needs)
                {
                    set.Add(need);
                    set.UnionWith(Of(need));
                }
                result[id] = set;
            }
            return set;
        }
        foreach (var step in workflow.Steps)
        {
            Of(step.Id);
        }
        return result;
    }

    private static void CheckAction(string jobName, WorkflowAction action, string field, bool allowSleep, Func<string, bool>? handlerExists, List<string> errors)
    {
        var sleep = (action as WorkflowStep)?.Sleep;
        var wait = (action as WorkflowStep)?.WaitForEvent;
        var given = new[] { action.Job is not null, action.Run is not null, sleep is not null, wait is not null }.Count(g => g);
        if (given != 1)
        {
            errors.Add($"{field}: give exactly one of job, an inline executor (handler, command, http){(allowSleep ? ", sleep or waitForEvent" : "")}");
            return;
        }
        if (wait is not null)
        {
            CheckWait(wait, field + ".waitForEvent", errors);
            if (action.Input is not null)
            {
                errors.Add($"{field}.input: a waitForEvent step takes no input: its output is the event's data");
            }
        }
        if (action.Job is { } job)
        {
            AddIf(errors, field + ".job", JobRules.QualifiedName(job) ?? JobRules.SameNamespace(jobName, job, "job")
                ?? (job == jobName ? "a workflow cannot run itself as a step" : null));
        }
        if (action.Run is { } run)
        {
            if (run is WorkflowExecutorSpec)
            {
                errors.Add($"{field}: a workflow is not written inline in a step: declare it as a job and name it with job");
            }
            var inner = new List<string>();
            JobRules.CheckExecutor(run, handlerExists, inner);
            errors.AddRange(inner.Select(e => $"{field}.{e}"));
        }
        if (sleep is { } duration)
        {
            AddIf(errors, field + ".sleep", JobRules.Period(duration, "sleep"));
        }
        if ((action.Retry is not null || action.Timeout is not null) && action.Run is null)
        {
            errors.Add($"{field}: retry and timeout belong to an inline executor (a job step keeps its job's)");
        }
        if (action.Retry is { } retry)
        {
            AddIf(errors, field + ".retry", JobRules.Retry(retry));
        }
        if (action.Timeout is { } timeout)
        {
            AddIf(errors, field + ".timeout", JobRules.Timer(timeout, "timeout"));
        }
    }

    private static void CheckWait(EventWait wait, string field, List<string> errors)
    {
        if (!Events.EventTypePattern.TryParse(wait.Type, out _, out var typeError))
        {
            errors.Add($"{field}.type: {typeError}");
        }
        else if (wait.Type.Contains('/', StringComparison.Ordinal))
        {
            errors.Add($"{field}.type: the wait is for events of the workflow's own namespace: write the type without one");
        }
        AddIf(errors, field + ".timeout", JobRules.Period(wait.Timeout, "timeout"));
    }

    /// <summary>A condition parses, and each path it reads outside <c>event</c> is one the step may read; errors name the field within it.</summary>
    private static void CheckCondition(Func<StepCondition> parse, string field, string stepId, HashSet<string> known, List<string> errors)
    {
        try
        {
            foreach (var path in parse().Paths.Where(p => !p.Path.StartsWith("event.", StringComparison.Ordinal) && p.Path != "event"))
            {
                AddIf(errors, field + path.At, Reference(path.Path, stepId, known));
            }
        }
        catch (ConditionException ex)
        {
            errors.Add($"{field}{ex.At}: {ex.Reason}");
        }
    }

    private static void CheckTemplates(string? template, string field, string? stepId, HashSet<string> known, List<string> errors, bool itemAllowed = false)
    {
        if (template is null)
        {
            return;
        }
        foreach (Match match in TemplatePattern().Matches(template))
        {
            var path = match.Groups[1].Value;
            if (path.StartsWith("secrets.", StringComparison.Ordinal))
            {
                errors.Add($"{field}: secrets are not read in workflow templates; use them in the step's HTTP headers or command environment");
                continue;
            }
            var root = path.Split('.')[0];
            AddIf(errors, field, root is "input" || path.StartsWith("steps.", StringComparison.Ordinal) ? Reference(path, stepId, known)
                : root is "item" or "index" ? (itemAllowed ? null : $"'{{{{{path}}}}}' is only known in the input of a forEach step")
                : $"'{{{{{path}}}}}' reads nothing a workflow has: templates start with input or steps.ID");
        }
    }

    /// <summary>Null when <paramref name="path"/> reads input or a step in <paramref name="known"/>.</summary>
    private static string? Reference(string path, string? stepId, HashSet<string> known)
    {
        var parts = path.Split('.');
        if (parts[0] != "steps")
        {
            return null;
        }
        if (parts.Length < 2 || parts[1].Length == 0)
        {
            return $"'{path}' names no step";
        }
        if (known.Contains(parts[1]))
        {
            return parts.Length < 3 || parts[2] is "output" or "state" or "error"
                ? null
                : $"'{path}': a step has output, state and error";
        }
        return stepId is null
            ? $"'{path}' reads step '{parts[1]}', which does not exist"
            : $"'{path}' reads step '{parts[1]}', which '{stepId}' does not need (add it to needs, directly or through another step)";
    }

    private static string[]? Cycle(WorkflowExecutorSpec workflow)
    {
        var byId = workflow.Steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the path, 2: done
        var path = new List<string>();
        string[]? Visit(string id)
        {
            if (state.GetValueOrDefault(id) == 2)
            {
                return null;
            }
            if (state.GetValueOrDefault(id) == 1)
            {
                return [.. path.Skip(path.IndexOf(id)), id];
            }
            state[id] = 1;
            path.Add(id);
            foreach (var need in byId[id].Needs)
            {
                if (Visit(need) is { } found)
                {
                    return found;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[id] = 2;
            return null;
        }
        return workflow.Steps.Select(s => Visit(s.Id)).FirstOrDefault(c => c is not null);
    }

    private static void AddIf(List<string> errors, string field, string? error)
    {
        if (error is not null)
        {
            errors.Add($"{field}: {error}");
        }
    }
}
