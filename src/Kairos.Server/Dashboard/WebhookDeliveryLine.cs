using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Model;

namespace Kairos.Server.Dashboard;

/// <summary>
/// A webhook delivery as the journal tells it, for people: <c>webhook.accepted</c> and
/// <c>webhook.rejected</c> are one verified delivery each (status, reason, runs, event);
/// <c>webhook.refused</c> sums a minute of refusals of one hook by reason (signature: 3…), since
/// refused requests are counted, never stored one by one.
/// </summary>
public sealed record WebhookDeliveryLine(DateTimeOffset At, string Hook, string Result, int? Status, string Reason, string? DeliveryId, IReadOnlyList<long> RunIds, long? EventId)
{
    /// <summary>The journal kinds that record deliveries.</summary>
    public static readonly string[] Kinds = ["webhook.accepted", "webhook.rejected", "webhook.refused"];

    /// <summary>The delivery an entry records; null for an entry whose data cannot be read as one.</summary>
    public static WebhookDeliveryLine? Of(JournalEntry entry)
    {
        JsonObject? data;
        try
        {
            data = entry.Data is null ? null : JsonNode.Parse(entry.Data) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        if (data?["hook"]?.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }
        var hook = data["hook"]!.GetValue<string>();
        if (entry.Kind == "webhook.refused")
        {
            var reasons = data["reasons"] as JsonObject ?? [];
            var words = string.Join(", ", reasons.Select(r => $"{r.Key}: {r.Value}"));
            return new WebhookDeliveryLine(entry.At, hook, "refused", null, words, null, [], null);
        }
        var runIds = (data["runIds"] as JsonArray ?? []).Select(n => n?.GetValueKind() == JsonValueKind.Number ? n.GetValue<long>() : 0).Where(id => id > 0).ToList();
        return new WebhookDeliveryLine(entry.At, hook, entry.Kind == "webhook.accepted" ? "accepted" : "rejected",
            Number(data["status"]) is { } status ? (int)status : null, Text(data["reason"]) ?? "", Text(data["deliveryId"]), runIds, Number(data["eventId"]));
    }

    private static string? Text(JsonNode? node) => node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : null;

    private static long? Number(JsonNode? node) => node?.GetValueKind() == JsonValueKind.Number ? node.GetValue<long>() : null;
}
