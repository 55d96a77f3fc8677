using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kairos.Executors;

/// <summary>
/// Fills <c>{{payload}}</c> and <c>{{payload.a.b}}</c> / <c>{{payload.items.0}}</c> templates from a run's
/// JSON payload. <c>{{payload}}</c> is the whole payload as compact JSON (<c>null</c> when the run has none);
/// a path selects one value: strings are inserted without quotes, numbers, booleans and null as their JSON
/// text, objects and arrays as compact JSON. Whitespace inside the braces is allowed. Everything else,
/// including <c>{{...}}</c> that does not start with <c>payload</c>, is kept verbatim.
/// <para>
/// <see cref="RenderJson"/> fills a template that is itself a JSON document (an HTTP body) so that the
/// result stays JSON: a string that is exactly one template becomes the selected JSON value (object,
/// number, string with its quotes, null…), and a template inside a longer string is inserted as text
/// escaped for that string. Plain-text contexts (arguments, headers, URLs) use <see cref="Render(string, string?, IReadOnlyDictionary{string, string}?)"/>.
/// </para>
/// </summary>
internal static class PayloadTemplate
{
    private static readonly JsonWriterOptions CompactWriter = new()
    {
        Indented = false,
        // Keep non-ASCII text and characters such as < > ' + readable; the output is not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions StringWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string SecretsRoot = "secrets.";

    /// <summary>Renders <paramref name="template"/>; <c>{{secrets.NAME}}</c> is filled from <paramref name="secrets"/> when given, else left as written.</summary>
    /// <exception cref="TemplateException">A path is missing from the payload, a path is malformed, the
    /// payload is not valid JSON (only when the template refers to it), or a named secret was not given.</exception>
    public static string Render(string template, string? payloadJson, IReadOnlyDictionary<string, string>? secrets = null) =>
        Render(template, payloadJson, TemplateRoot.Payload, secrets);

    /// <summary>As <see cref="Render(string, string?, IReadOnlyDictionary{string, string}?)"/>, with the paths starting at <paramref name="root"/>.</summary>
    public static string Render(string template, string? json, TemplateRoot root, IReadOnlyDictionary<string, string>? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (!template.Contains("{{", StringComparison.Ordinal))
        {
            return template;
        }
        using var data = new TemplateData(json, root);
        return RenderText(template, data, secrets);
    }

    /// <summary>
    /// Renders a body: JSON-aware when <paramref name="template"/> is a JSON document (see the class
    /// summary), as plain text otherwise (<c>{"n": {{payload.n}}}</c> is not JSON before it is filled).
    /// </summary>
    /// <exception cref="TemplateException">As <see cref="Render(string, string?, IReadOnlyDictionary{string, string}?)"/>.</exception>
    public static string RenderJson(string template, string? json, TemplateRoot? root = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (!template.Contains("{{", StringComparison.Ordinal))
        {
            return template;
        }
        var utf8 = Encoding.UTF8.GetBytes(template);
        using var data = new TemplateData(json, root ?? TemplateRoot.Payload);
        if (!IsJsonDocument(utf8))
        {
            return RenderText(template, data, secrets: null);
        }

        // Copy the document byte for byte, replacing only the strings that hold a template, so its
        // layout, number spellings and key order are kept.
        var output = new ArrayBufferWriter<byte>(utf8.Length + 64);
        var copied = 0;
        var reader = new Utf8JsonReader(utf8);
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
            {
                continue;
            }
            var text = reader.GetString()!;
            if (!text.Contains("{{", StringComparison.Ordinal))
            {
                continue;
            }
            var start = (int)reader.TokenStartIndex;
            var end = start + reader.ValueSpan.Length + 2; // the quotes around the raw (still escaped) text
            output.Write(utf8.AsSpan(copied, start - copied));
            var replacement = reader.TokenType == JsonTokenType.String && WholeTemplate(text, data.Root) is { } expression
                ? data.Json(expression)
                : JsonSerializer.Serialize(RenderText(text, data, secrets: null), StringWriter);
            output.Write(Encoding.UTF8.GetBytes(replacement));
            copied = end;
        }
        output.Write(utf8.AsSpan(copied));
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>The names of the secrets a template refers to (<c>{{secrets.NAME}}</c>).</summary>
    public static IEnumerable<string> SecretNames(string? template)
    {
        var position = 0;
        while (template is not null && template.IndexOf("{{", position, StringComparison.Ordinal) is var open and >= 0
            && template.IndexOf("}}", open + 2, StringComparison.Ordinal) is var close and >= 0)
        {
            var expression = template.AsSpan(open + 2, close - open - 2).Trim();
            if (expression.StartsWith(SecretsRoot, StringComparison.Ordinal))
            {
                yield return expression[SecretsRoot.Length..].ToString();
            }
            position = close + 2;
        }
    }

    private static string RenderText(string template, TemplateData data, IReadOnlyDictionary<string, string>? secrets)
    {
        var result = new StringBuilder(template.Length);
        var position = 0;
        while (position < template.Length)
        {
            var open = template.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                break;
            }
            var close = template.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                break;
            }

            var expression = template.AsSpan(open + 2, close - open - 2).Trim().ToString();
            if (secrets is not null && expression.StartsWith(SecretsRoot, StringComparison.Ordinal))
            {
                var name = expression[SecretsRoot.Length..];
                result.Append(template, position, open - position);
                result.Append(secrets.TryGetValue(name, out var secret)
                    ? secret
                    : throw new TemplateException(expression, $"secret '{name}' is not defined (kairos secrets set {name}, or secrets: in the configuration file)"));
                position = close + 2;
                continue;
            }
            if (!data.Root.Owns(expression))
            {
                // Not ours: keep "{{" and look for templates after it.
                result.Append(template, position, open + 2 - position);
                position = open + 2;
                continue;
            }

            result.Append(template, position, open - position);
            result.Append(data.Text(expression));
            position = close + 2;
        }
        result.Append(template, position, template.Length - position);
        return result.ToString();
    }

    /// <summary>The expression when <paramref name="text"/> is exactly one template of <paramref name="root"/>.</summary>
    private static string? WholeTemplate(string text, TemplateRoot root)
    {
        if (!text.StartsWith("{{", StringComparison.Ordinal) || !text.EndsWith("}}", StringComparison.Ordinal) || text.Length < 4)
        {
            return null;
        }
        var inner = text.AsSpan(2, text.Length - 4);
        if (inner.Contains("{{", StringComparison.Ordinal) || inner.Contains("}}", StringComparison.Ordinal))
        {
            return null;
        }
        var expression = inner.Trim().ToString();
        return root.Owns(expression) ? expression : null;
    }

    private static bool IsJsonDocument(byte[] utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        try
        {
            while (reader.Read())
            {
            }
            return reader.BytesConsumed > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryStep(JsonElement current, string segment, out JsonElement next)
    {
        switch (current.ValueKind)
        {
            case JsonValueKind.Object:
                return current.TryGetProperty(segment, out next);
            case JsonValueKind.Array:
                if (int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    && index < current.GetArrayLength())
                {
                    next = current[index];
                    return true;
                }
                break;
        }
        next = default;
        return false;
    }

    private static string Compact(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            element.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The JSON a template reads from, parsed on first use and shared by every template of one render.</summary>
    private sealed class TemplateData(string? json, TemplateRoot root) : IDisposable
    {
        private JsonDocument? _document;
        private bool _parsed;

        public TemplateRoot Root => root;

        public void Dispose() => _document?.Dispose();

        /// <summary>The selected value as text: strings without quotes, anything else as compact JSON.</summary>
        public string Text(string expression) =>
            Select(expression) is not { } value ? "null"
            : value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Object or JsonValueKind.Array => Compact(value),
                _ => value.GetRawText(),
            };

        /// <summary>The selected value as a JSON value.</summary>
        public string Json(string expression) => Select(expression) is { } value ? Compact(value) : "null";

        /// <summary>The value at the expression's path; null for the whole document when there is none.</summary>
        private JsonElement? Select(string expression)
        {
            var document = Document();
            var path = root.Path(expression);
            if (path.Length == 0)
            {
                return document?.RootElement;
            }
            if (path.Any(s => s.Length == 0))
            {
                throw new TemplateException(expression, $"template path '{expression}' is malformed (empty segment)");
            }
            if (document is null)
            {
                throw new TemplateException(expression, $"template path '{expression}' is missing from the {root.Subject} (the run has no {root.Subject})");
            }
            var current = document.RootElement;
            foreach (var segment in path)
            {
                if (!TryStep(current, segment, out current))
                {
                    throw new TemplateException(expression, $"template path '{expression}' is missing from the {root.Subject}");
                }
            }
            return current;
        }

        private JsonDocument? Document()
        {
            if (_parsed)
            {
                return _document;
            }
            _parsed = true;
            if (json is null)
            {
                return null;
            }
            try
            {
                return _document = JsonDocument.Parse(json);
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException)
            {
                // ArgumentException: text with a lone UTF-16 surrogate, which no JSON text can hold.
                throw new TemplateException(null, $"the {root.Subject} is not valid JSON: {ex.Message}", ex);
            }
        }
    }
}

/// <summary>
/// The first words of the templates a render fills, and where their paths start: <c>payload</c> (a run's
/// payload: <c>{{payload.a}}</c> is the payload's <c>a</c>), <c>run</c> (a notification's context,
/// <c>{"run": {…}}</c>: <c>{{run.id}}</c> is its <c>run.id</c>), or <c>input</c>, <c>steps</c>, and in a
/// <c>forEach</c> step <c>item</c> and <c>index</c> (a workflow's context, <c>{"input": …, "steps": {…}}</c>).
/// </summary>
internal sealed class TemplateRoot
{
    public static readonly TemplateRoot Payload = new(["payload"], keepName: false, "payload");
    public static readonly TemplateRoot Run = new(["run"], keepName: true, "notification context");
    public static readonly TemplateRoot Workflow = new(["input", "steps", "item", "index"], keepName: true, "workflow context");

    private readonly string[] _names;
    private readonly bool _keepName;

    private TemplateRoot(string[] names, bool keepName, string subject)
    {
        _names = names;
        _keepName = keepName;
        Subject = subject;
    }

    /// <summary>What the JSON is called in errors.</summary>
    public string Subject { get; }

    public bool Owns(string expression) => NameOf(expression) is not null;

    /// <summary>The path's segments from the JSON's root; empty: the whole JSON.</summary>
    public string[] Path(string expression)
    {
        var name = NameOf(expression)!;
        if (expression.Length == name.Length)
        {
            return _keepName ? [name] : [];
        }
        var rest = expression[(name.Length + 1)..].Split('.');
        return _keepName ? [name, .. rest] : rest;
    }

    private string? NameOf(string expression) => Array.Find(_names, name =>
        expression.StartsWith(name, StringComparison.Ordinal) && (expression.Length == name.Length || expression[name.Length] == '.'));
}

/// <summary>A payload template could not be rendered.</summary>
internal sealed class TemplateException : FormatException
{
    public TemplateException(string? path, string message, Exception? inner = null)
        : base(message, inner)
    {
        Path = path;
    }

    /// <summary>The template path that failed (<c>payload.a.b</c>), or null when the payload itself is bad.</summary>
    public string? Path { get; }
}
