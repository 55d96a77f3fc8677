using System.Text.Json;
using Kairos.Model;
using Kairos.Webhooks;

namespace Kairos.Storage.Postgres;

/// <summary>Webhook definitions and deliveries.</summary>
internal sealed partial class PostgresStore
{
    public Task SaveWebhookAsync(WebhookDefinition hook, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            var definition = JsonSerializer.Serialize(hook, KairosJson.Options);
            var previous = await scope.Scalar("SELECT definition FROM webhooks WHERE name = @name FOR UPDATE", ("name", hook.Name)) as string;
            await scope.Execute(
                "INSERT INTO webhooks (name, definition, updated_at) VALUES (@name, @definition, @now) " +
                "ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
                ("name", hook.Name), ("definition", definition), ("now", Ms(now)));
            if (previous != definition)
            {
                // The definition may hold a secret: the journal records only that the hook changed.
                await Journal(scope, now, previous is null ? "webhook.created" : "webhook.updated", null, null, null,
                    JsonSerializer.Serialize(new { hook = hook.Name }, KairosJson.Options));
            }
            return true;
        }, cancellationToken);

    public Task<WebhookDefinition?> GetWebhookAsync(string name, CancellationToken cancellationToken) =>
        Read(async scope => (await scope.Query("SELECT definition FROM webhooks WHERE name = @name",
            r => JsonSerializer.Deserialize<WebhookDefinition>(r.GetString(0), KairosJson.Options), ("name", name))).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<WebhookDefinition>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<WebhookDefinition>>(async scope => await scope.Query("SELECT definition FROM webhooks ORDER BY name",
            r => JsonSerializer.Deserialize<WebhookDefinition>(r.GetString(0), KairosJson.Options)!), cancellationToken);

    public Task<bool> DeleteWebhookAsync(string name, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            var deleted = await scope.Execute("DELETE FROM webhooks WHERE name = @name", ("name", name)) > 0;
            if (deleted)
            {
                // Its delivery ids go with it: no pass of the pruner would find them again.
                await scope.Execute("DELETE FROM webhook_deliveries WHERE hook = @name", ("name", name));
                await Journal(scope, now, "webhook.deleted", null, null, null, JsonSerializer.Serialize(new { hook = name }, KairosJson.Options));
            }
            return deleted;
        }, cancellationToken);
}
