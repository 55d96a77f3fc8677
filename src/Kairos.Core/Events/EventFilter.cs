using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kairos.Events;

/// <summary>
/// A subscription's JSON filter over an event <c>{type, source, priority, data}</c>. Keys are dotted
/// paths (<c>data.customer.tier</c>, <c>data.items.0.sku</c>); all conditions must hold. A plain
/// value means equality; an object of operators applies each: <c>$eq $ne $gt $gte $lt $lte $in
/// $nin $exists $glob</c>. Comparisons ($gt…) apply to two numbers or two strings (ordinal); a
/// missing path fails every condition except <c>$ne</c>, <c>$nin</c> and <c>$exists: false</c>.
/// <c>$glob</c> matches a string with <c>*</c> (any characters) and <c>?</c> (one character), in
/// time linear in the string.
/// </summary>
internal sealed class EventFilter
{
    private static readonly string[] Operators = ["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$glob"];
    private readonly List<Condition> _conditions;

    private EventFilter(List<Condition> conditions, string json)
    {
        _conditions = conditions;
        Json = json;
    }

    /// <summary>The filter as compact JSON (<c>{}</c> when it matches everything).</summary>
    public string Json { get; }

    public static readonly EventFilter Everything = new([], "{}");

    /// <summary>Parses a filter; throws <see cref="KairosValidationException"/> saying which key or operator is wrong.</summary>
    public static EventFilter Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Everything;
        }
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            // ArgumentException: text with a lone UTF-16 surrogate, which no JSON text can hold.
            throw new KairosValidationException($"the filter is not valid JSON: {ex.Message}");
        }
        if (root is not JsonObject fields)
        {
            throw new KairosValidationException("the filter must be a JSON object of path: condition, e.g. {\"data.amount\": {\"$gt\": 100}}");
        }
        var conditions = new List<Condition>();
        foreach (var (path, expected) in fields)
        {
            if (path.Length == 0 || path.Split('.').Any(s => s.Length == 0))
            {
                throw new KairosValidationException($"filter path '{path}' is not a dotted path such as data.amount");
            }
            if (expected is JsonObject operators && operators.Any(kv => kv.Key.StartsWith('$')))
            {
                foreach (var (op, operand) in operators)
                {
                    conditions.Add(ParseOperator(path, op, operand));
                }
            }
            else
            {
                conditions.Add(new Condition(path, "$eq", expected?.DeepClone(), null));
            }
        }
        return new EventFilter(conditions, root.ToJsonString());
    }

    private static Condition ParseOperator(string path, string op, JsonNode? operand)
    {
        if (!Operators.Contains(op))
        {
            throw new KairosValidationException($"filter '{path}': unknown operator '{op}'; use one of {string.Join(" ", Operators)}");
        }
        switch (op)
        {
            case "$in" or "$nin" when operand is not JsonArray:
                throw new KairosValidationException($"filter '{path}': {op} needs an array of values");
            case "$exists" when operand is not JsonValue v || v.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False):
                throw new KairosValidationException($"filter '{path}': $exists needs true or false");
            case "$glob" when operand is not JsonValue g || g.GetValueKind() != JsonValueKind.String:
                throw new KairosValidationException($"filter '{path}': $glob needs a string pattern such as \"ABC-*\"");
            case "$gt" or "$gte" or "$lt" or "$lte" when operand is not JsonValue c || c.GetValueKind() is not (JsonValueKind.Number or JsonValueKind.String):
                throw new KairosValidationException($"filter '{path}': {op} needs a number or a string");
        }
        var glob = op == "$glob" ? Engine.Triggers.Files.Glob.CompileText(operand!.GetValue<string>()) : null;
        return new Condition(path, op, operand?.DeepClone(), glob);
    }

    /// <summary>True for a filter without conditions: it matches every event.</summary>
    public bool IsEmpty => _conditions.Count == 0;

    /// <summary>True when the event (as a JSON envelope) meets every condition.</summary>
    public bool Matches(JsonNode envelope) => _conditions.All(c => c.Holds(envelope));

    private sealed record Condition(string Path, string Operator, JsonNode? Operand, Regex? Glob)
    {
        public bool Holds(JsonNode envelope)
        {
            var found = Resolve(envelope, Path, out var value);
            return Operator switch
            {
                "$exists" => found == Operand!.GetValue<bool>(),
                "$ne" => !found || !JsonNode.DeepEquals(value, Operand),
                "$nin" => !found || !((JsonArray)Operand!).Any(candidate => JsonNode.DeepEquals(value, candidate)),
                _ when !found => false,
                "$eq" => JsonNode.DeepEquals(value, Operand),
                "$in" => ((JsonArray)Operand!).Any(candidate => JsonNode.DeepEquals(value, candidate)),
                "$glob" => value is JsonValue s && s.GetValueKind() == JsonValueKind.String && Glob!.IsMatch(s.GetValue<string>()),
                _ => Compare(value, Operand!) is { } order && Operator switch
                {
                    "$gt" => order > 0,
                    "$gte" => order >= 0,
                    "$lt" => order < 0,
                    _ => order <= 0,
                },
            };
        }

        private static int? Compare(JsonNode? left, JsonNode right)
        {
            if (left is not JsonValue l || right is not JsonValue r)
            {
                return null;
            }
            return (l.GetValueKind(), r.GetValueKind()) switch
            {
                (JsonValueKind.Number, JsonValueKind.Number) => CompareNumbers(l, r),
                (JsonValueKind.String, JsonValueKind.String) => string.CompareOrdinal(l.GetValue<string>(), r.GetValue<string>()),
                _ => null,
            };
        }

        /// <summary>Decimal keeps amounts exact (0.1 + 0.2 style errors); numbers beyond its range fall back to double.</summary>
        private static int CompareNumbers(JsonValue left, JsonValue right) =>
            left.TryGetValue<decimal>(out var l) && right.TryGetValue<decimal>(out var r)
                ? l.CompareTo(r)
                : left.GetValue<double>().CompareTo(right.GetValue<double>());

        private static bool Resolve(JsonNode? node, string path, out JsonNode? value)
        {
            foreach (var segment in path.Split('.'))
            {
                switch (node)
                {
                    case JsonObject obj when obj.TryGetPropertyValue(segment, out var child):
                        node = child;
                        break;
                    case JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count:
                        node = array[index];
                        break;
                    default:
                        value = null;
                        return false;
                }
            }
            value = node;
            return true;
        }
    }
}
