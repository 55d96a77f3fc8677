using System.Globalization;
using System.Text.Json.Nodes;
using Kairos.Storage;

namespace Kairos.Engine.Scheduling;

/// <summary>
/// What a run of a time trigger carries for one scheduled time, the same whether the scheduler fires
/// it or a backfill enqueues it: the payload (<c>scheduledAt</c>, <c>trigger</c>, the trigger's own
/// <c>data</c>) and the idempotency key <c>trigger:{id}:{time}</c>, so a time gets at most one run.
/// </summary>
internal static class ScheduledFire
{
    public static JsonObject Payload(TriggerState trigger, DateTimeOffset scheduledAt)
    {
        var payload = new JsonObject
        {
            ["scheduledAt"] = scheduledAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["trigger"] = trigger.Key,
        };
        if (trigger.Spec.Payload is { } data)
        {
            payload["data"] = JsonNode.Parse(data);
        }
        return payload;
    }

    public static string IdempotencyKey(TriggerState trigger, DateTimeOffset scheduledAt) =>
        string.Create(CultureInfo.InvariantCulture, $"trigger:{trigger.Id}:{scheduledAt.ToUnixTimeMilliseconds()}");
}
