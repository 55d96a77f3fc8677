using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// What a workflow's templates and conditions read, as one JSON document:
/// <c>{"input": the workflow run's payload, "steps": {"ID": {"state", "output", "error"}}}</c>, with a
/// step's output parsed as JSON when it is JSON (else kept as text). Steps not yet ended are absent.
/// </summary>
internal static class WorkflowContext
{
    public static string Build(string? input, IEnumerable<WorkflowStepRow> steps)
    {
        var stepsNode = new JsonObject();
        foreach (var step in steps.Where(s => StepStates.HasEnded(s.State)))
        {
            stepsNode[step.StepId] = new JsonObject
            {
                ["state"] = step.State,
                ["output"] = Parse(step.Output),
                ["error"] = step.Error,
            };
        }
        return new JsonObject { ["input"] = Parse(input), ["steps"] = stepsNode }.ToJsonString(KairosJson.Options);
    }

    private static JsonNode? Parse(string? json)
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
