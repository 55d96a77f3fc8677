using System.Text.Json;
using Kairos.Model;
using Kairos.Webhooks;

namespace Kairos.Storage.Postgres;

/// <summary>Webhook definitions and deliveries.</summary>
internal sealed partial class PostgresStore
{
    public Task<WebhookDefinition?> GetWebhookAsync(string name, CancellationToken cancellationToken) =>
        Read(async scope => (await scope.Query("SELECT definition FROM webhooks WHERE name = @name",
            r => JsonSerializer.Deserialize<WebhookDefinition>(r.GetString(0), KairosJson.Options), ("name", name))).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<WebhookDefinition>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<WebhookDefinition>>(async scope => await scope.Query("SELECT definition FROM webhooks ORDER BY name",
            r => JsonSerializer.Deserialize<WebhookDefinition>(r.GetString(0), KairosJson.Options)!), cancellationToken);

}
