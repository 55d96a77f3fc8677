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
/// </summary>
internal static class PayloadTemplate
{
    private const string Root = "payload";

    private static readonly JsonWriterOptions CompactWriter = new()
    {
        Indented = false,
        // Keep non-ASCII text and characters such as < > ' + readable; the output is not embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private const string SecretsRoot = "secrets.";

    /// <summary>Renders <paramref name="template"/>; <c>{{secrets.NAME}}</c> is filled from <paramref name="secrets"/> when given, else left as written.</summary>
    /// <exception cref="TemplateException">A path is missing from the payload, a path is malformed, the
    /// payload is not valid JSON (only when the template refers to it), or a named secret was not given.</exception>
    public static string Render(string template, string? payloadJson, IReadOnlyDictionary<string, string>? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (!template.Contains("{{", StringComparison.Ordinal))
        {
            return template;
        }

        JsonDocument? document = null;
        var parsed = false;
        try
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
                if (!IsPayloadExpression(expression))
                {
                    // Not ours: keep "{{" and look for templates after it.
                    result.Append(template, position, open + 2 - position);
                    position = open + 2;
                    continue;
                }

                result.Append(template, position, open - position);
                if (!parsed)
                {
                    document = ParsePayload(payloadJson);
                    parsed = true;
                }
                result.Append(Evaluate(expression, document));
                position = close + 2;
            }
            result.Append(template, position, template.Length - position);
            return result.ToString();
        }
        finally
        {
            document?.Dispose();
        }
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

    private static bool IsPayloadExpression(string expression) =>
        expression.StartsWith(Root, StringComparison.Ordinal)
        && (expression.Length == Root.Length || expression[Root.Length] == '.');

    private static JsonDocument? ParsePayload(string? payloadJson)
    {
        if (payloadJson is null)
        {
            return null;
        }
        try
        {
            return JsonDocument.Parse(payloadJson);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            // ArgumentException: text with a lone UTF-16 surrogate, which no JSON text can hold.
            throw new TemplateException(null, $"the payload is not valid JSON: {ex.Message}", ex);
        }
    }

    private static string Evaluate(string expression, JsonDocument? document)
    {
        if (expression.Length == Root.Length)
        {
            return document is null ? "null" : Compact(document.RootElement);
        }

        var segments = expression[(Root.Length + 1)..].Split('.');
        if (segments.Any(s => s.Length == 0))
        {
            throw new TemplateException(expression, $"template path '{expression}' is malformed (empty segment)");
        }
        if (document is null)
        {
            throw new TemplateException(expression,
                $"template path '{expression}' is missing from the payload (the run has no payload)");
        }

        var current = document.RootElement;
        foreach (var segment in segments)
        {
            if (!TryStep(current, segment, out current))
            {
                throw new TemplateException(expression, $"template path '{expression}' is missing from the payload");
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString()!,
            JsonValueKind.Object or JsonValueKind.Array => Compact(current),
            _ => current.GetRawText(),
        };
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
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            element.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
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
