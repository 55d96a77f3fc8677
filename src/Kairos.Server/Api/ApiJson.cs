using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Model;
using Microsoft.AspNetCore.Http;

namespace Kairos.Server.Api;

/// <summary>
/// Reads API request bodies as JSON in the strict input shape (<see cref="KairosJson.Input"/>): a
/// field given twice, an unknown field, a missing one or a body that is not JSON is a 400 saying
/// what is wrong and where; a body sent as something other than JSON is a 415.
/// </summary>
internal static class ApiJson
{
    /// <summary>Free-form JSON (a run's payload) is refused on the same grounds: a key given twice is ambiguous.</summary>
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false };

    /// <summary>The body as <typeparamref name="T"/>; null when the body is empty.</summary>
    public static async Task<T?> ReadAsync<T>(HttpRequest request, string what, CancellationToken ct) where T : class
    {
        if (!request.HasJsonContentType())
        {
            throw new BadHttpRequestException(
                $"send {what} as JSON with Content-Type: application/json" + (request.ContentType is { } type ? $" (this request says '{type}')" : " (this request has none)"),
                StatusCodes.Status415UnsupportedMediaType);
        }
        using var buffer = await ApiBodyLimit.ReadAsync(request, ct);
        if (buffer.Length == 0)
        {
            return null;
        }
        // Parsed as a document first: it refuses a key given twice at any depth, also inside free-form
        // JSON (a payload, event data) that the serializer would hand to JsonNode, which does not check.
        using var document = Strictly(what, "is not valid JSON", () => JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), DocumentOptions));
        return Strictly(what, "is not valid", () => document.Deserialize<T>(KairosJson.Input));
    }

    /// <summary>A body read as a JSON object (and completed from the URL) in the strict input shape of <typeparamref name="T"/>.</summary>
    public static T Convert<T>(JsonNode body, string what) where T : class =>
        Strictly(what, "is not valid", () => body.Deserialize<T>(KairosJson.Input));

    /// <summary>Throws a 400 naming what is wrong when <paramref name="json"/> is not one JSON document without repeated keys.</summary>
    public static void EnsureValid(string json, string what) =>
        Strictly(what, "is not valid JSON", () =>
        {
            using var _ = JsonDocument.Parse(json, DocumentOptions);
            return json;
        });

    /// <param name="problem">What a failure means here, after <paramref name="what"/>: "is not valid JSON", or "is not valid" (the shape).</param>
    private static T Strictly<T>(string what, string problem, Func<T?> read) where T : class
    {
        try
        {
            return read() ?? throw new KairosValidationException($"{what} must be a JSON object, not null");
        }
        catch (JsonException ex)
        {
            // The serializer's message names the field; the path says where it is, once.
            throw new KairosValidationException(ex.Path is { } path && !ex.Message.Contains("Path:", StringComparison.Ordinal)
                ? $"{what} {problem} at {path}: {ex.Message}"
                : $"{what} {problem}: {ex.Message}");
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
        {
            // How the serializer refuses, e.g., an executor or a trigger without its "kind".
            throw new KairosValidationException($"{what} {problem}: {ex.Message}");
        }
    }
}
