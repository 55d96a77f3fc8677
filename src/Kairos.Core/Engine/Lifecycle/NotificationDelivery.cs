using System.Text.Json;
using Kairos.Model;

namespace Kairos.Engine.Lifecycle;

/// <summary>Reads the request a delivery run of <see cref="JobRules.NotificationJob"/> carries (see <see cref="RunNotifications"/>).</summary>
internal static class NotificationDelivery
{
    /// <summary>The notification's request, or null when the payload holds none.</summary>
    public static HttpExecutorSpec? Request(RunRecord run)
    {
        try
        {
            using var payload = JsonDocument.Parse(run.Payload ?? "null");
            return payload.RootElement.ValueKind == JsonValueKind.Object
                && payload.RootElement.TryGetProperty("notification", out var notification)
                && notification.ValueKind == JsonValueKind.Object
                && notification.TryGetProperty("http", out var http)
                ? http.Deserialize<HttpExecutorSpec>(KairosJson.Options)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
