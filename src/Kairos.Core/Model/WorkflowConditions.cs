using System.Text.Json.Nodes;

namespace Kairos.Model;

/// <summary>
/// Builds the structured form of a <see cref="WorkflowStep.When"/> (or an <see cref="EventWait.Match"/>): the
/// same JSON a YAML mapping or an API body gives, so a condition built here is saved, shown and evaluated
/// exactly as one written there. Each condition taken may be text or another built one:
/// <code>
/// When = WorkflowConditions.All(
///     WorkflowConditions.Compare("{{steps.check.output.available}}", "gte", "{{input.quantity}}"),
///     WorkflowConditions.Not("input.country in ['US', 'CA']"))
/// </code>
/// </summary>
public static class WorkflowConditions
{
    /// <summary>Holds when every one of <paramref name="conditions"/> holds.</summary>
    public static string All(params string[] conditions) => Of("all", new JsonArray([.. conditions.Select(Node)]));

    /// <summary>Holds when one of <paramref name="conditions"/> holds.</summary>
    public static string Any(params string[] conditions) => Of("any", new JsonArray([.. conditions.Select(Node)]));

    /// <summary>Holds when <paramref name="condition"/> does not.</summary>
    public static string Not(string condition) => Of("not", Node(condition));

    /// <summary>
    /// <paramref name="left"/> <paramref name="op"/> <paramref name="right"/>: an operand that is exactly one
    /// template (<c>"{{input.n}}"</c>) is that path, any other value a literal; <paramref name="op"/> is one of
    /// eq ne gt gte lt lte in contains matches.
    /// </summary>
    public static string Compare(JsonNode? left, string op, JsonNode? right) =>
        new JsonObject { ["left"] = left?.DeepClone(), ["op"] = op, ["right"] = right?.DeepClone() }.ToJsonString();

    /// <summary>Holds when the path of <paramref name="template"/> (<c>"{{steps.a.output.id}}"</c>) has a value.</summary>
    public static string Exists(string template) => new JsonObject { ["left"] = template, ["op"] = "exists" }.ToJsonString();

    private static string Of(string key, JsonNode? value) => new JsonObject { [key] = value }.ToJsonString();

    // A built condition nests as its object; text stays a text condition.
    private static JsonNode? Node(string condition) =>
        Workflows.StepCondition.IsStructured(condition) ? JsonNode.Parse(condition) : JsonValue.Create(condition);
}
