using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kairos.Workflows;

/// <summary>
/// A step's <c>when</c> (or a wait's <c>match</c>), written in one of two forms that parse to the same
/// tree and so are evaluated alike:
/// <list type="bullet">
/// <item>text (<see cref="StepCondition.TextParser"/>): <c>steps.check.output.available &gt;= input.quantity and not (input.express == true)</c>;</item>
/// <item>structured, a JSON object (<see cref="StepCondition.StructuredReader"/>): <c>{"all": [{"left": "{{steps.check.output.available}}", "op": "gte", "right": "{{input.quantity}}"}, {"not": …}]}</c>.</item>
/// </list>
/// Operands are paths (<c>input…</c>, <c>steps.ID…</c>; array items by index, <c>items.0</c>) or literals;
/// operators are eq ne gt gte lt lte, <c>in</c>, <c>contains</c>, <c>matches</c> (a regular expression,
/// matched in linear time) and <c>exists</c>, combined with and (all), or (any) and not. No code runs: a
/// path that is missing is null (and does not exist), and an ordering between values of different kinds is false.
/// </summary>
internal sealed partial class StepCondition
{
    private static readonly Dictionary<string, string> OperatorWords = new(StringComparer.Ordinal)
    {
        ["eq"] = "==", ["ne"] = "!=", ["gt"] = ">", ["gte"] = ">=", ["lt"] = "<", ["lte"] = "<=",
        ["in"] = "in", ["contains"] = "contains", ["matches"] = "matches",
    };

    private readonly Node _root;

    private StepCondition(Node root, IReadOnlyList<ConditionPath> paths)
    {
        _root = root;
        Paths = paths;
    }

    /// <summary>Every path the condition reads, as written, with where it is written.</summary>
    public IReadOnlyList<ConditionPath> Paths { get; }

    /// <summary>Whether <paramref name="written"/> is the structured form: a JSON object (text conditions never start with one brace).</summary>
    public static bool IsStructured(string written)
    {
        var text = written.TrimStart();
        return text.StartsWith('{') && !text.StartsWith("{{", StringComparison.Ordinal);
    }

    /// <param name="written">The condition: text, or the structured form as JSON.</param>
    /// <param name="readsEvent">Paths may also start with <c>event</c> (a <c>waitForEvent</c>'s match).</param>
    /// <exception cref="ConditionException">What is wrong and where: the character (text) or the field (structured).</exception>
    public static StepCondition Parse(string written, bool readsEvent = false)
    {
        var paths = new List<ConditionPath>();
        var root = IsStructured(written)
            ? new StructuredReader(readsEvent, paths).Read(written)
            : new TextParser(written, readsEvent, paths, "").ParseAll();
        return new StepCondition(root, paths);
    }

    /// <summary>The condition for people: text as written, the structured form rendered as text.</summary>
    public static string Display(string written) => IsStructured(written) ? Parse(written).ToString() : written;

    /// <summary>Whether the condition holds for <paramref name="context"/> (<c>{"input": …, "steps": {…}}</c>).</summary>
    public bool Evaluate(JsonElement context) => _root.Test(context);

    /// <summary>The condition in the text form.</summary>
    public override string ToString() => _root.Text(nested: false);

    /// <summary>
    /// A comparison, checked as far as can be told before any value is known: a regular expression
    /// compiles (non-backtracking, so matching is linear in the text), and literals are of kinds the
    /// operator can take. <paramref name="error"/> places a message where the comparison is written.
    /// </summary>
    private static Compare Comparison(Operand left, string op, Operand right, Func<string, ConditionException> error)
    {
        Regex? pattern = null;
        if (op == "matches")
        {
            if (right.Literal is not { ValueKind: JsonValueKind.String } regex)
            {
                throw error("'matches' takes a quoted regular expression");
            }
            try
            {
                pattern = new Regex(regex.GetString()!, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            }
            catch (ArgumentException ex)
            {
                throw error($"'{regex.GetString()}' is not a regular expression: {ex.Message}");
            }
        }
        var kinds = (left.Literal?.ValueKind, right.Literal?.ValueKind);
        if (op is ">" or ">=" or "<" or "<=" && kinds is ({ } l, { } r) && l != r)
        {
            throw error($"'{left.Text} {op} {right.Text}' compares values of different kinds");
        }
        if (op == "in" && kinds.Item2 is { } list && list != JsonValueKind.Array)
        {
            throw error($"'in' looks in a list, and {right.Text} is not one");
        }
        if (op == "contains" && kinds.Item1 is { } held && held is not (JsonValueKind.Array or JsonValueKind.String))
        {
            throw error($"'contains' looks in a list or a text, and {left.Text} is neither");
        }
        if (op == "matches" && kinds.Item1 is { } matched && matched != JsonValueKind.String)
        {
            throw error($"'matches' reads a text, and {left.Text} is not one");
        }
        return new Compare(left, op, right, pattern);
    }

    private abstract record Node
    {
        public abstract bool Test(JsonElement context);

        /// <summary>The text form; <paramref name="nested"/>: inside and/not, where an or needs parentheses.</summary>
        public abstract string Text(bool nested);
    }

    private sealed record And(Node Left, Node Right) : Node
    {
        public override bool Test(JsonElement context) => Left.Test(context) && Right.Test(context);

        public override string Text(bool nested) => $"{Left.Text(true)} and {Right.Text(true)}";
    }

    private sealed record Or(Node Left, Node Right) : Node
    {
        public override bool Test(JsonElement context) => Left.Test(context) || Right.Test(context);

        public override string Text(bool nested) => nested ? $"({Left.Text(false)} or {Right.Text(false)})" : $"{Left.Text(false)} or {Right.Text(false)}";
    }

    private sealed record Not(Node Inner) : Node
    {
        public override bool Test(JsonElement context) => !Inner.Test(context);

        public override string Text(bool nested) => Inner is And ? $"not ({Inner.Text(false)})" : $"not {Inner.Text(true)}";
    }

    private sealed record Exists(Operand Path) : Node
    {
        public override bool Test(JsonElement context) => Path.Value(context) is not null;

        public override string Text(bool nested) => $"{Path.Text} exists";
    }

    private sealed record Compare(Operand Left, string Op, Operand Right, Regex? Pattern) : Node
    {
        public override string Text(bool nested) => $"{Left.Text} {Op} {Right.Text}";

        public override bool Test(JsonElement context)
        {
            var left = Left.Value(context);
            var right = Right.Value(context);
            return Op switch
            {
                "==" => Same(left, right),
                "!=" => !Same(left, right),
                "in" => right is { ValueKind: JsonValueKind.Array } list && list.EnumerateArray().Any(item => Same(left, item)),
                "contains" => left switch
                {
                    { ValueKind: JsonValueKind.Array } list => list.EnumerateArray().Any(item => Same(item, right)),
                    { ValueKind: JsonValueKind.String } s when right is { ValueKind: JsonValueKind.String } part =>
                        s.GetString()!.Contains(part.GetString()!, StringComparison.Ordinal),
                    _ => false,
                },
                "matches" => left is { ValueKind: JsonValueKind.String } s && Pattern!.IsMatch(s.GetString()!),
                _ => Order(left, right) is { } order && Op switch
                {
                    ">" => order > 0,
                    ">=" => order >= 0,
                    "<" => order < 0,
                    _ => order <= 0,
                },
            };
        }

        private static bool Same(JsonElement? left, JsonElement? right) =>
            (left is null or { ValueKind: JsonValueKind.Null }) ? right is null or { ValueKind: JsonValueKind.Null }
            : right is not null && (left.Value.ValueKind == JsonValueKind.Number && right.Value.ValueKind == JsonValueKind.Number
                ? left.Value.GetDecimal() == right.Value.GetDecimal()
                : JsonElement.DeepEquals(left.Value, right.Value));

        private static int? Order(JsonElement? left, JsonElement? right) => (left?.ValueKind, right?.ValueKind) switch
        {
            (JsonValueKind.Number, JsonValueKind.Number) => left!.Value.GetDouble().CompareTo(right!.Value.GetDouble()),
            (JsonValueKind.String, JsonValueKind.String) => string.CompareOrdinal(left!.Value.GetString(), right!.Value.GetString()),
            _ => null,
        };
    }

    /// <summary>A path into the context, or a literal (held as a parsed JSON value); <paramref name="Text"/> is how the text form writes it.</summary>
    private sealed record Operand(string[]? Path, JsonElement? Literal, string Text)
    {
        public static Operand FromLiteral(string json, string written)
        {
            using var document = JsonDocument.Parse(json);
            return new Operand(null, document.RootElement.Clone(), written);
        }

        /// <summary>A path, after checking it starts where paths may start.</summary>
        /// <exception cref="ConditionException">From <paramref name="error"/>, when it is not a path.</exception>
        public static Operand FromPath(string word, bool readsEvent, Func<string, ConditionException> error)
        {
            var path = word.Split('.');
            if (!(path[0] is "input" or "steps" || (readsEvent && path[0] == "event")) || path.Any(s => s.Length == 0) || (path[0] == "steps" && path.Length < 2))
            {
                throw error($"'{word}' is not a path: paths start with {(readsEvent ? "'event', " : "")}'input' or 'steps.ID', with no empty part");
            }
            return new Operand(path, null, word);
        }

        public JsonElement? Value(JsonElement context)
        {
            if (Path is null)
            {
                return Literal;
            }
            var current = context;
            foreach (var segment in Path)
            {
                if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var next))
                {
                    current = next;
                }
                else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    && index < current.GetArrayLength())
                {
                    current = current[index];
                }
                else
                {
                    return null;
                }
            }
            return current;
        }
    }
}

/// <summary>A path a condition reads (<c>steps.check.output.n</c>), and where in a structured condition it is written (<c>.all[1].left</c>; empty in text).</summary>
internal sealed record ConditionPath(string Path, string At);

/// <summary>What is wrong with a condition: <see cref="At"/> is the field within a structured condition (<c>.all[1].op</c>; empty for the whole, or text).</summary>
internal sealed class ConditionException(string at, string reason)
    : FormatException(at.Length == 0 ? reason : $"{at.TrimStart('.')}: {reason}")
{
    public string At { get; } = at;

    public string Reason { get; } = reason;
}
