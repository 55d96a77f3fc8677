using System.Globalization;
using System.Text.Json;

namespace Kairos.Workflows;

internal sealed partial class StepCondition
{
    /// <summary>
    /// The text form: operands and operators as in <see cref="StepCondition"/>, the operators also written
    /// <c>== != &gt; &gt;= &lt; &lt;=</c>, <c>exists</c> after a path, combined with <c>and</c>, <c>or</c>,
    /// <c>not</c> and parentheses. Errors name the character (1-based); <paramref name="at"/> is where the
    /// text stands in a structured condition (empty on its own).
    /// </summary>
    private sealed class TextParser(string text, bool readsEvent, List<ConditionPath> paths, string at)
    {
        private static readonly string[] Symbols = [">=", "<=", "==", "!=", ">", "<"];

        private int _at;

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
            return Comparison(left, op, right, message => new ConditionException(at, $"at {opAt + 1}: {message}"));
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
                return Operand.FromLiteral(JsonSerializer.Serialize(text[(start + 1)..end]), text[start.._at]);
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
                return Operand.FromLiteral("[" + string.Join(",", items) + "]", text[start.._at]);
            }
            var word = TakeToken();
            if (word.Length == 0)
            {
                throw Error($"expected a value or path, found '{Rest()}'");
            }
            if (word is "true" or "false" or "null")
            {
                return Operand.FromLiteral(word, word);
            }
            if (c is '-' or (>= '0' and <= '9'))
            {
                return decimal.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                    ? Operand.FromLiteral(word, word)
                    : throw new ConditionException(at, $"at {start + 1}: '{word}' is not a number");
            }
            var path = Operand.FromPath(word, readsEvent, message => new ConditionException(at, $"at {start + 1}: {message}"));
            paths.Add(new ConditionPath(word, at));
            return path;
        }

        private string? TakeOperator()
        {
            SkipSpace();
            foreach (var symbol in Symbols)
            {
                if (string.CompareOrdinal(text, _at, symbol, 0, symbol.Length) == 0)
                {
                    _at += symbol.Length;
                    return symbol;
                }
            }
            var save = _at;
            var word = TakeToken();
            if (OperatorWords.TryGetValue(word, out var op))
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

        private ConditionException Error(string message) => new(at, $"at {_at + 1}: {message}");
    }
}
