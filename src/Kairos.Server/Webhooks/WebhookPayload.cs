using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Kairos.Webhooks;
using Microsoft.AspNetCore.WebUtilities;

namespace Kairos.Server.Webhooks;

/// <summary>
/// The payload a webhook's runs get: <c>{hook, deliveryId, receivedAt, body, query, headers}</c>.
/// The body is parsed JSON, form fields (repeated fields become arrays) or raw text; only the
/// hook's allow-listed headers are copied, and never ones that carry credentials or signatures
/// (the hook's own HMAC signature header included).
/// </summary>
internal static class WebhookPayload
{
    private static readonly HashSet<string> NeverCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Cookie", "X-Hub-Signature", "X-Hub-Signature-256", "webhook-signature", "Stripe-Signature", "Proxy-Authorization",
    };

    /// <summary>Builds the payload; returns null and a reason when a JSON body does not parse.</summary>
    public static JsonObject? Build(WebhookDefinition hook, string? deliveryId, DateTimeOffset receivedAt, HttpRequest request, byte[] body, out string? error)
    {
        error = null;
        JsonNode? parsedBody;
        var contentType = request.ContentType ?? "";
        if (contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                parsedBody = body.Length == 0 ? null : JsonNode.Parse(body);
            }
            catch (JsonException ex)
            {
                error = $"the body is declared as JSON but does not parse: {ex.Message}";
                return null;
            }
        }
        else if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            var fields = new JsonObject();
            foreach (var (key, values) in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body)))
            {
                fields[key] = Values(values);
            }
            parsedBody = fields;
        }
        else
        {
            parsedBody = JsonValue.Create(Encoding.UTF8.GetString(body));
        }

        var query = new JsonObject();
        foreach (var (key, values) in request.Query)
        {
            if (key != "wait")
            {
                query[key] = Values(values);
            }
        }
        var headers = new JsonObject();
        foreach (var name in hook.Headers.Where(h => !NeverCopied.Contains(h) && !string.Equals(h, hook.Hmac?.Header, StringComparison.OrdinalIgnoreCase)))
        {
            if (request.Headers.TryGetValue(name, out var values))
            {
                headers[name] = Values(values);
            }
        }
        return new JsonObject
        {
            ["hook"] = hook.Name,
            ["deliveryId"] = deliveryId,
            ["receivedAt"] = receivedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["body"] = parsedBody,
            ["query"] = query,
            ["headers"] = headers,
        };
    }

    private static JsonNode? Values(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
}
