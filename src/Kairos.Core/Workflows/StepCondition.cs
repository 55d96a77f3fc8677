using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kairos.Workflows;

/// <summary>
/// A step's <c>when</c>: a short text condition over the workflow context, such as
/// <c>steps.check.output.available &gt;= input.quantity and not (input.express == true)</c>. Operands are
/// paths (<c>input…</c>, <c>steps.ID…</c>; array items by index, <c>items.0</c>) or literals (numbers,
/// 'text' or "text", true, false, null, [lists]); operators are <c>== != &gt; &gt;= &lt; &lt;=</c> (or
/// <c>eq ne gt gte lt lte</c>), <c>in</c>, <c>contains</c>, <c>matches</c> (a regular expression, matched
/// in linear time) and the postfix <c>exists</c>, combined with <c>and</c>, <c>or</c>, <c>not</c> and
/// parentheses. No code runs: a path that is missing is null (and does not exist), and an ordering
/// between values of different kinds is false.
/// </summary>
internal sealed class StepCondition
{
    private readonly Node _root;

    private StepCondition(Node root, IReadOnlyList<string> paths)
    {
        _root = root;
        Paths = paths;
    }

    /// <summary>Every path the condition reads, as written.</summary>
    public IReadOnlyList<string> Paths { get; }

    /// <param name="text">The condition.</param>
    /// <param name="readsEvent">Paths may also start with <c>event</c> (a <c>waitForEvent</c>'s match).</param>
    /// <exception cref="FormatException">What is wrong and at which character (1-based).</exception>
    public static StepCondition Parse(string text, bool readsEvent = false)
    {
        var parser = new Parser(text, readsEvent);
        var root = parser.ParseAll();
        return new StepCondition(root, parser.Paths);
    }

    /// <summary>Whether the condition holds for <paramref name="context"/> (<c>{"input": …, "steps": {…}}</c>).</summary>
    public bool Evaluate(JsonElement context) => _root.Test(context);

    private abstract record Node
    {
        public abstract bool Test(JsonElement context);
    }

    private sealed record And(Node Left, Node Right) : Node
    {
        public override bool Test(JsonElement context) => Left.Test(context) && Right.Test(context);
    }

    private sealed record Or(Node Left, Node Right) : Node
    {
        public override bool Test(JsonElement context) => Left.Test(context) || Right.Test(context);
    }

    private sealed record Not(Node Inner) : Node
    {
        public override bool Test(JsonElement context) => !Inner.Test(context);
    }

    private sealed record Exists(Operand Path) : Node
    {
        public override bool Test(JsonElement context) => Path.Value(context) is not null;
    }

    private sealed record Compare(Operand Left, string Op, Operand Right, Regex? Pattern) : Node
    {
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

    /// <summary>A path into the context, or a literal (held as a parsed JSON value).</summary>
    private sealed record Operand(string[]? Path, JsonElement? Literal, string Text)
    {
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

    private sealed class Parser(string text, bool readsEvent)
    {
        private static readonly string[] Symbols = [">=", "<=", "==", "!=", ">", "<", "(", ")", "[", "]", ","];
        private static readonly Dictionary<string, string> Words = new(StringComparer.Ordinal)
        {
            ["eq"] = "==", ["ne"] = "!=", ["gt"] = ">", ["gte"] = ">=", ["lt"] = "<", ["lte"] = "<=",
            ["in"] = "in", ["contains"] = "contains", ["matches"] = "matches",
        };

        private int _at;

        public List<string> Paths { get; } = [];

        public Node ParseAll()
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                throw Error("the condition is empty");
            }
            var node = ParseOr();
            SkipSpace();
            return _at < text.Length ? throw Error($"unexpected '{Rest()}'") : node;
        }

        private Node ParseOr()
        {
            var node = ParseAnd();
            while (TakeWord("or"))
            {
                node = new Or(node, ParseAnd());
            }
            return node;
        }

        private Node ParseAnd()
        {
            var node = ParseUnary();
            while (TakeWord("and"))
            {
                node = new And(node, ParseUnary());
            }
            return node;
        }

        private Node ParseUnary()
        {
            if (TakeWord("not"))
            {
                return new Not(ParseUnary());
            }
            if (Take("("))
            {
                var inner = ParseOr();
                return Take(")") ? inner : throw Error("a ')' is missing");
            }
            var left = ParseOperand();
            if (TakeWord("exists"))
            {
                return left.Path is not null ? new Exists(left) : throw Error("'exists' follows a path, not a literal");
            }
            var op = TakeOperator() ?? throw Error(_at < text.Length
                ? $"expected an operator (== != > >= < <= in contains matches exists) after '{left.Text}', found '{Rest()}'"
                : $"expected an operator after '{left.Text}'");
            var opAt = _at;
            var right = ParseOperand();
            Regex? pattern = null;
            if (op == "matches")
            {
                if (right.Literal is not { ValueKind: JsonValueKind.String } regex)
                {
                    throw Error("'matches' takes a quoted regular expression");
                }
                try
                {
                    pattern = new Regex(regex.GetString()!, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
                }
                catch (ArgumentException ex)
                {
                    throw new FormatException($"at {opAt + 1}: '{regex.GetString()}' is not a regular expression: {ex.Message}");
                }
            }
            if (op is ">" or ">=" or "<" or "<=" && left.Literal is { } l && right.Literal is { } r && l.ValueKind != r.ValueKind)
            {
                throw Error($"'{left.Text} {op} {right.Text}' compares values of different kinds");
            }
            return new Compare(left, op, right, pattern);
        }

        private Operand ParseOperand()
        {
            SkipSpace();
            var start = _at;
            if (_at >= text.Length)
            {
                throw Error("a value or path is missing at the end");
            }
            var c = text[_at];
            if (c is '\'' or '"')
            {
                var end = text.IndexOf(c, _at + 1);
                if (end < 0)
                {
                    throw Error("a quoted text is not closed");
                }
                _at = end + 1;
                return Literal(JsonSerializer.Serialize(text[(start + 1)..end]), text[start.._at]);
            }
            if (Take("["))
            {
                var items = new List<string>();
                while (!Take("]"))
                {
                    if (items.Count > 0 && !Take(","))
                    {
                        throw Error("expected ',' or ']' in a list");
                    }
                    items.Add(ParseOperand() is { Literal: { } item } ? item.GetRawText() : throw Error("a list holds literals only"));
                }
                return Literal("[" + string.Join(",", items) + "]", text[start.._at]);
            }
            var word = TakeToken();
            if (word.Length == 0)
            {
                throw Error($"expected a value or path, found '{Rest()}'");
            }
            if (word is "true" or "false" or "null")
            {
                return Literal(word, word);
            }
            if (c is '-' or (>= '0' and <= '9'))
            {
                return decimal.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                    ? Literal(word, word)
                    : throw new FormatException($"at {start + 1}: '{word}' is not a number");
            }
            var path = word.Split('.');
            if (!(path[0] is "input" or "steps" || (readsEvent && path[0] == "event")) || path.Any(s => s.Length == 0) || (path[0] == "steps" && path.Length < 2))
            {
                throw new FormatException($"at {start + 1}: '{word}' is not a path: paths start with {(readsEvent ? "'event', " : "")}'input' or 'steps.ID', with no empty part");
            }
            Paths.Add(word);
            return new Operand(path, null, word);
        }

        private static Operand Literal(string json, string written)
        {
            using var document = JsonDocument.Parse(json);
            return new Operand(null, document.RootElement.Clone(), written);
        }

        private string? TakeOperator()
        {
            SkipSpace();
            foreach (var symbol in Symbols.Take(6))
            {
                if (string.CompareOrdinal(text, _at, symbol, 0, symbol.Length) == 0)
                {
                    _at += symbol.Length;
                    return symbol;
                }
            }
            var save = _at;
            var word = TakeToken();
            if (Words.TryGetValue(word, out var op))
            {
                return op;
            }
            _at = save;
            return null;
        }

        private string TakeToken()
        {
            SkipSpace();
            var start = _at;
            while (_at < text.Length && (char.IsLetterOrDigit(text[_at]) || text[_at] is '.' or '_' or '-' or '+'))
            {
                _at++;
            }
            return text[start.._at];
        }

        private bool TakeWord(string word)
        {
            var save = _at;
            if (TakeToken() == word)
            {
                return true;
            }
            _at = save;
            return false;
        }

        private bool Take(string symbol)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _at, symbol, 0, symbol.Length) != 0)
            {
                return false;
            }
            _at += symbol.Length;
            return true;
        }

        private void SkipSpace()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }

        private string Rest() => text.Length - _at > 20 ? text.Substring(_at, 20) + "…" : text[_at..];

        private FormatException Error(string message) => new($"at {_at + 1}: {message}");
    }
}
