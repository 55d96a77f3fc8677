using System.Text.Json;
using Kairos.Model;
using Kairos.Webhooks;

namespace Kairos.Storage.Postgres;

/// <summary>Webhook definitions and deliveries.</summary>
public sealed partial class PostgresStore
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
                await Journal(scope, now, "webhook.deleted", null, null, null, JsonSerializer.Serialize(new { hook = name }, KairosJson.Options));
            }
            return deleted;
        }, cancellationToken);

    public Task<WebhookDeliveryResult> AcceptWebhookDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken) =>
        Write(async scope =>
        {
            var now = delivery.ReceivedAt;
            if (delivery.DeliveryId is { } id && delivery.RejectRepeatedId)
            {
                await scope.Execute("DELETE FROM webhook_deliveries WHERE hook = @hook AND received_at < @horizon",
                    ("hook", delivery.Hook), ("horizon", Ms(now - delivery.ReplayWindow)));
                // ON CONFLICT DO NOTHING: the same delivery reaching two nodes at once is accepted by one of them only
                // (the second waits on the first's insert, then sees the conflict).
                if (await scope.Execute("INSERT INTO webhook_deliveries (hook, delivery_id, received_at) VALUES (@hook, @id, @now) ON CONFLICT DO NOTHING",
                    ("hook", delivery.Hook), ("id", id), ("now", Ms(now))) == 0)
                {
                    await JournalDelivery(scope, delivery, "webhook.rejected", new { hook = delivery.Hook, deliveryId = id, status = 409, reason = "delivery id already received (replay)" });
                    return new WebhookDeliveryResult(WebhookDeliveryOutcome.Replayed, [], []);
                }
            }

            var bound = (await scope.Query(
                "SELECT t.job_name, t.spec, j.paused FROM triggers t JOIN jobs j ON j.name = t.job_name WHERE t.key LIKE 'webhook:%' ORDER BY t.job_name COLLATE \"C\"",
                r => (Job: r.GetString(0), Spec: JsonSerializer.Deserialize<TriggerSpec>(r.GetString(1), KairosJson.Options), Paused: r.GetBoolean(2))))
                .Where(t => t.Spec is WebhookTriggerSpec hook && hook.Hook == delivery.Hook)
                .DistinctBy(t => t.Job)
                .ToList();
            var paused = bound.Where(b => b.Paused).Select(b => b.Job).ToList();
            var outcome = bound.Count == 0 ? WebhookDeliveryOutcome.NoJobs
                : paused.Count == bound.Count ? WebhookDeliveryOutcome.AllPaused
                : WebhookDeliveryOutcome.Accepted;
            var runs = new List<EnqueueResult>();
            if (outcome == WebhookDeliveryOutcome.Accepted)
            {
                foreach (var b in bound.Where(b => !b.Paused))
                {
                    runs.Add(await EnqueueInScope(scope, new RunRequest(b.Job, TriggerSources.Webhook)
                    {
                        Payload = delivery.Payload,
                        IdempotencyKey = delivery.DeliveryId is { } key ? $"webhook:{delivery.Hook}:{key}" : null,
                    }, now));
                }
            }
            await JournalDelivery(scope, delivery, outcome == WebhookDeliveryOutcome.Accepted ? "webhook.accepted" : "webhook.rejected", new
            {
                hook = delivery.Hook,
                deliveryId = delivery.DeliveryId,
                status = outcome switch { WebhookDeliveryOutcome.Accepted => 202, WebhookDeliveryOutcome.NoJobs => 404, _ => 409 },
                reason = outcome switch
                {
                    WebhookDeliveryOutcome.Accepted => paused.Count > 0 ? $"accepted; paused jobs skipped: {string.Join(", ", paused)}" : "accepted",
                    WebhookDeliveryOutcome.NoJobs => "no job has a trigger for this hook",
                    _ => $"every bound job is paused: {string.Join(", ", paused)}",
                },
                runIds = runs.Select(r => r.RunId),
            });
            return new WebhookDeliveryResult(outcome, runs, paused);
        }, cancellationToken);

    private Task JournalDelivery(PgScope scope, WebhookDelivery delivery, string kind, object data) =>
        Journal(scope, delivery.ReceivedAt, kind, null, null, null, JsonSerializer.Serialize(data, KairosJson.Options));
}
