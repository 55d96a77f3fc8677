using System.Text;

namespace Kairos.Webhooks;

/// <summary>
/// What an HMAC webhook signs, as text with two placeholders and nothing else: <c>{{body}}</c>, the
/// raw body bytes, and <c>{{header.NAME}}</c>, a request header's value. Kept this small on purpose:
/// a signature scheme is a fixed layout, and anything else (defaults, expressions) would only be a
/// way to get verification subtly wrong. Anything else between <c>{{ }}</c> is refused when the
/// hook is saved or loaded, with its position.
/// </summary>
internal sealed class SignedContentTemplate
{
    private readonly List<Part> _parts;

    private SignedContentTemplate(List<Part> parts) => _parts = parts;

    /// <summary>The template, or null and what is wrong at which character (0-based).</summary>
    public static SignedContentTemplate? Parse(string text, out string? error)
    {
        var parts = new List<Part>();
        var at = 0;
        while (at < text.Length)
        {
            var open = text.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(new Part(Literal: text[at..]));
                break;
            }
            if (open > at)
            {
                parts.Add(new Part(Literal: text[at..open]));
            }
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{{{{' at character {open + 1} is not closed by '}}}}'";
                return null;
            }
            var expression = text[(open + 2)..close].Trim();
            if (expression == "body")
            {
                parts.Add(new Part(Body: true));
            }
            else if (expression.StartsWith("header.", StringComparison.Ordinal) && IsHeaderName(expression["header.".Length..]))
            {
                parts.Add(new Part(Header: expression["header.".Length..]));
            }
            else
            {
                error = $"'{{{{{expression}}}}}' at character {open + 1} is not {{{{body}}}} or {{{{header.NAME}}}}, the only placeholders allowed";
                return null;
            }
            at = close + 2;
        }
        error = null;
        return new SignedContentTemplate(parts);
    }

    /// <summary>The bytes to sign, or null and the header that is missing.</summary>
    public byte[]? Render(IReadOnlyDictionary<string, string> headers, byte[] body, out string? missingHeader)
    {
        using var content = new MemoryStream(body.Length + 64);
        foreach (var part in _parts)
        {
            if (part.Body)
            {
                content.Write(body);
            }
            else if (part.Header is { } name)
            {
                if (WebhookSignatures.Header(headers, name) is not { } value)
                {
                    missingHeader = name;
                    return null;
                }
                content.Write(Encoding.UTF8.GetBytes(value));
            }
            else
            {
                content.Write(Encoding.UTF8.GetBytes(part.Literal!));
            }
        }
        missingHeader = null;
        return content.ToArray();
    }

    /// <summary>An HTTP header name: one or more token characters (RFC 9110).</summary>
    public static bool IsHeaderName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));

    private sealed record Part(string? Literal = null, bool Body = false, string? Header = null);
}
