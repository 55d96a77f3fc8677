using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// What a workflow's templates and conditions read, as one JSON document:
/// <c>{"input": the workflow run's payload, "steps": {"ID": {"state", "output", "error"}}}</c>, with a
/// step's output parsed as JSON when it is JSON (else kept as text). Steps not yet ended are absent.
/// For an item of a <c>forEach</c> step, <c>item</c> and <c>index</c> are added.
/// </summary>
internal static class WorkflowContext
{
    public static string Build(string? input, IEnumerable<WorkflowStepRow> steps, JsonNode? item = null, int? index = null)
    {
        var stepsNode = new JsonObject();
        foreach (var step in steps.Where(s => StepStates.HasEnded(s.State) && !StepItems.IsItem(s.StepId)))
        {
            stepsNode[step.StepId] = new JsonObject
            {
                ["state"] = step.State,
                ["output"] = Parse(step.Output),
                ["error"] = step.Error,
            };
        }
        var context = new JsonObject { ["input"] = Parse(input), ["steps"] = stepsNode };
        if (index is not null)
        {
            context["item"] = item?.DeepClone();
            context["index"] = index;
        }
        return context.ToJsonString(KairosJson.Options);
    }

    public static JsonNode? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }
}
