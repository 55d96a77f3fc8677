using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kairos.Secrets;

/// <summary>
/// The secret values one run was given, masked wherever the run's words are kept (log lines,
/// output, error), so a job that echoes a secret stores <c>***</c>. Each value is masked as written
/// and in the forms a job is likely to print it in: inside a JSON string (escaped the minimal way,
/// as most tools write it, or as System.Text.Json does, <c>\u0022</c> and all, or with every
/// non-ASCII character escaped, as Python does) and in base64 (standard and URL-safe, with or
/// without padding). Secrets shorter than <see cref="MinLength"/> are refused when stored
/// (<see cref="SecretRules"/>) or read (<see cref="SecretResolver"/>): masking them would mangle
/// ordinary text.
/// </summary>
internal sealed class SecretMask
{
    public const string Masked = "***";

    /// <summary>The shortest secret: a shorter one would mask ordinary words and hide almost nothing.</summary>
    public const int MinLength = 4;

    private readonly List<string> _forms = [];

    public static SecretMask None { get; } = new();

    public SecretMask(IEnumerable<string>? values = null)
    {
        // Longest first, so a secret (or form) containing another is masked whole.
        _forms.AddRange((values ?? []).Where(v => v.Length >= MinLength).SelectMany(FormsOf).Distinct().OrderByDescending(v => v.Length));
    }

    public string? Apply(string? text)
    {
        if (text is null || _forms.Count == 0)
        {
            return text;
        }
        foreach (var form in _forms)
        {
            text = text.Replace(form, Masked, StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>The ways <paramref name="value"/> may be printed: as it is, JSON-escaped, base64.</summary>
    internal static IEnumerable<string> FormsOf(string value)
    {
        yield return value;
        yield return JsonEscaped(value, asciiOnly: false);
        yield return JsonEscaped(value, asciiOnly: true);
        yield return JsonEncodedText.Encode(value).ToString();
        yield return JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(value)).TrimEnd('=');
        // Unpadded: also masks the padded form (leaving "***=") and one printed without padding.
        yield return base64;
        yield return base64.Replace('+', '-').Replace('/', '_');
    }

    /// <summary>A JSON string's contents the minimal way (quote, backslash, control characters), optionally with non-ASCII as <c>\uXXXX</c>.</summary>
    private static string JsonEscaped(string value, bool asciiOnly)
    {
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            escaped.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                _ when c < ' ' || (asciiOnly && c > '~') => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }
}
