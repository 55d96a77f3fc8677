using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kairos.Workflows;

internal sealed partial class StepCondition
{
    /// <summary>
    /// The structured form, a JSON object (a YAML mapping in the file) of one of these shapes:
    /// <c>{"all": [c, …]}</c>, <c>{"any": [c, …]}</c>, <c>{"not": c}</c>, or a comparison
    /// <c>{"left": x, "op": "gte", "right": y}</c> (<c>exists</c> takes no right), where each <c>c</c>
    /// is again a structured condition or a text one. An operand that is exactly one template
    /// (<c>"{{steps.check.output.n}}"</c>) is that path; any other value is a literal. Errors name the field
    /// (<c>all[1].op</c>).
    /// </summary>
    private sealed partial class StructuredReader(bool readsEvent, List<ConditionPath> paths)
    {
        private static readonly string[] Shapes = ["all", "any", "not", "left"];

        [GeneratedRegex(@"^\{\{\s*([^{}]*?)\s*\}\}$")]
        private static partial Regex WholeTemplate();

        public Node Read(string json) => Condition(Json(json, ""), "");

        private static JsonNode? Json(string json, string at)
        {
            try
            {
                return JsonNode.Parse(json);
            }
            catch (JsonException ex)
            {
                throw new ConditionException(at, $"a structured condition is a JSON object: {ex.Message}");
            }
        }

        private Node Condition(JsonNode? node, string at)
        {
            if (node is JsonValue value && value.TryGetValue<string>(out var text))
            {
                return IsStructured(text) ? Condition(Json(text, at), at) : new TextParser(text, readsEvent, paths, at).ParseAll();
            }
            if (node is not JsonObject fields)
            {
                throw new ConditionException(at, "a condition is a text, or an object with all, any, not, or left and op");
            }
            var shape = Shapes.Where(fields.ContainsKey).ToList();
            if (shape.Count == 0 && fields.ContainsKey("op"))
            {
                throw new ConditionException($"{at}.left", "a comparison needs a left operand");
            }
            if (shape.Count != 1)
            {
                throw new ConditionException(at, shape.Count == 0
                    ? $"a condition object has one of all, any, not, or left and op (found {Keys(fields)})"
                    : $"a condition object has one of {string.Join(", ", shape)}, not several");
            }
            var allowed = shape[0] == "left" ? new[] { "left", "op", "right" } : [shape[0]];
            if (fields.Select(f => f.Key).FirstOrDefault(k => !allowed.Contains(k)) is { } stray)
            {
                throw new ConditionException($"{at}.{stray}", $"'{stray}' is not a key of {(shape[0] == "left" ? "a comparison (left, op, right)" : $"an '{shape[0]}' condition")}");
            }
            return shape[0] switch
            {
                "all" => List(fields["all"], $"{at}.all").Aggregate((l, r) => new And(l, r)),
                "any" => List(fields["any"], $"{at}.any").Aggregate((l, r) => new Or(l, r)),
                "not" => new Not(Condition(fields["not"], $"{at}.not")),
                _ => Comparison(fields, at),
            };
        }

        private List<Node> List(JsonNode? node, string at) =>
            node is JsonArray { Count: > 0 } items
                ? items.Select((item, i) => Condition(item, $"{at}[{i}]")).ToList()
                : throw new ConditionException(at, "a list of at least one condition");

        private Node Comparison(JsonObject fields, string at)
        {
            var word = fields["op"] is JsonValue op && op.TryGetValue<string>(out var name) ? name : null;
            if (word is null)
            {
                throw new ConditionException($"{at}.op", $"an operator is missing: one of {string.Join(" ", OperatorWords.Keys)} exists");
            }
            var left = Operand(fields["left"], $"{at}.left");
            if (word == "exists")
            {
                if (fields.ContainsKey("right"))
                {
                    throw new ConditionException($"{at}.right", "'exists' takes no right operand");
                }
                return left.Path is not null ? new Exists(left) : throw new ConditionException($"{at}.left", "'exists' reads a path ('{{input.x}}'), not a literal");
            }
            if (!OperatorWords.TryGetValue(word, out var symbol))
            {
                throw new ConditionException($"{at}.op", $"'{word}' is not an operator: one of {string.Join(" ", OperatorWords.Keys)} exists");
            }
            if (!fields.ContainsKey("right"))
            {
                throw new ConditionException($"{at}.right", $"'{word}' needs a right operand");
            }
            var right = Operand(fields["right"], $"{at}.right");
            return StepCondition.Comparison(left, symbol, right, message => new ConditionException(at, message));
        }

        /// <summary>A path when the value is exactly one template, else the value itself as a literal.</summary>
        private Operand Operand(JsonNode? node, string at)
        {
            if (node is JsonValue value && value.TryGetValue<string>(out var text))
            {
                if (WholeTemplate().Match(text) is { Success: true } template)
                {
                    var path = template.Groups[1].Value;
                    var operand = StepCondition.Operand.FromPath(path, readsEvent, message => new ConditionException(at, message));
                    paths.Add(new ConditionPath(path, at));
                    return operand;
                }
                if (text.Contains("{{", StringComparison.Ordinal))
                {
                    throw new ConditionException(at, $"a template is a whole operand ('{{{{input.x}}}}'), not part of a text: {Model.InputText.Quote(text)}");
                }
            }
            var json = node?.ToJsonString() ?? "null";
            return StepCondition.Operand.FromLiteral(json, json);
        }

        private static string Keys(JsonObject fields) => fields.Count == 0 ? "none" : string.Join(", ", fields.Select(f => f.Key));
    }
}
