using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kairos.Model;

/// <summary>The JSON conventions of stored definitions and of the API: camelCase, kebab-case enums.</summary>
internal static class KairosJson
{
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>
    /// The same conventions, strict, for what callers send (API bodies): a field given twice, a field
    /// the shape does not have, a required field missing or a null where a value is needed is an
    /// error naming it, as the YAML loader refuses unknown keys. A constructor parameter is required
    /// unless it has a default value (request bodies give theirs <c>= null</c>). Stored definitions are read with
    /// <see cref="Options"/>, so an older row never fails to load.
    /// </summary>
    public static readonly JsonSerializerOptions Input = CreateInput();

    private static JsonSerializerOptions CreateInput()
    {
        var options = new JsonSerializerOptions(Options)
        {
            AllowDuplicateProperties = false,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            AllowOutOfOrderMetadataProperties = true, // "kind" may come after the fields it selects.
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

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
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            // ArgumentException: text with a lone UTF-16 surrogate, which no JSON text can hold.
            throw new KairosValidationException($"{what} is not valid JSON: {ex.Message}");
        }
    }
}
