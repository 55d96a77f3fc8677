using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kairos.Model;

/// <summary>The JSON conventions of stored definitions and of the API: camelCase, kebab-case enums.</summary>
internal static class KairosJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            // Payloads and outputs are shown to people and stored, never embedded in HTML: keep '+', quotes and non-ASCII readable.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Throws <see cref="KairosValidationException"/> naming <paramref name="what"/> when <paramref name="json"/> is not JSON.</summary>
    public static void EnsureValid(string? json, string what)
    {
        if (json is null)
        {
            return;
        }
        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new KairosValidationException($"{what} is not valid JSON: {ex.Message}");
        }
    }
}
