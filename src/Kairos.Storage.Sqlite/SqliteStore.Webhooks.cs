using System.Text.Json;
using Kairos.Model;
using Kairos.Webhooks;

namespace Kairos.Storage.Sqlite;

/// <summary>Webhook definitions and deliveries.</summary>
public sealed partial class SqliteStore
{
    public Task SaveWebhookAsync(WebhookDefinition hook, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            var definition = JsonSerializer.Serialize(hook, KairosJson.Options);
            var previous = scope.Scalar("SELECT definition FROM webhooks WHERE name = @name", ("@name", hook.Name)) as string;
            scope.Execute(
                "INSERT INTO webhooks (name, definition, updated_at) VALUES (@name, @definition, @now) " +
                "ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
                ("@name", hook.Name), ("@definition", definition), ("@now", Ms(now)));
            if (previous != definition)
            {
                // The definition may hold a secret: the journal records only that the hook changed.
                Journal(scope, now, previous is null ? "webhook.created" : "webhook.updated", null, null, null,
                    JsonSerializer.Serialize(new { hook = hook.Name }, KairosJson.Options));
            }
            return true;
        });

    public Task<WebhookDefinition?> GetWebhookAsync(string name, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT definition FROM webhooks WHERE name = @name";
            command.Parameters.AddWithValue("@name", name);
            return SqliteRows.ReadAll(command, r => JsonSerializer.Deserialize<WebhookDefinition>(r.GetString(0), KairosJson.Options)).FirstOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<WebhookDefinition>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<WebhookDefinition>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT definition FROM webhooks ORDER BY name";
            return SqliteRows.ReadAll(command, r => JsonSerializer.Deserialize<WebhookDefinition>(r.GetString(0), KairosJson.Options)!);
        }, cancellationToken);

    public Task<bool> DeleteWebhookAsync(string name, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            var deleted = scope.Execute("DELETE FROM webhooks WHERE name = @name", ("@name", name)) > 0;
            if (deleted)
            {
                Journal(scope, now, "webhook.deleted", null, null, null, JsonSerializer.Serialize(new { hook = name }, KairosJson.Options));
            }
            return deleted;
        });

    public Task AppendJournalAsync(string kind, string? jobName, string? data, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            Journal(scope, now, kind, jobName, null, null, data);
            return true;
        });

    public Task<WebhookDeliveryResult> AcceptWebhookDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            var now = delivery.ReceivedAt;
            if (delivery.DeliveryId is { } id && delivery.RejectRepeatedId)
            {
                scope.Execute("DELETE FROM webhook_deliveries WHERE hook = @hook AND received_at < @horizon",
                    ("@hook", delivery.Hook), ("@horizon", Ms(now - delivery.ReplayWindow)));
                if (scope.Scalar("SELECT 1 FROM webhook_deliveries WHERE hook = @hook AND delivery_id = @id", ("@hook", delivery.Hook), ("@id", id)) is not null)
                {
                    JournalDelivery(scope, delivery, "webhook.rejected", new { hook = delivery.Hook, deliveryId = id, status = 409, reason = "delivery id already received (replay)" });
                    return new WebhookDeliveryResult(WebhookDeliveryOutcome.Replayed, [], []);
                }
                scope.Execute("INSERT INTO webhook_deliveries (hook, delivery_id, received_at) VALUES (@hook, @id, @now)",
                    ("@hook", delivery.Hook), ("@id", id), ("@now", Ms(now)));
            }

            var bound = SqliteRows.ReadAll(
                scope.Command("SELECT t.job_name, t.spec, j.paused FROM triggers t JOIN jobs j ON j.name = t.job_name WHERE t.key LIKE 'webhook:%' ORDER BY t.job_name"),
                r => (Job: r.GetString(0), Spec: JsonSerializer.Deserialize<TriggerSpec>(r.GetString(1), KairosJson.Options), Paused: r.GetInt64(2) != 0))
                .Where(t => t.Spec is WebhookTriggerSpec hook && hook.Hook == delivery.Hook)
                .DistinctBy(t => t.Job)
                .ToList();
            var paused = bound.Where(b => b.Paused).Select(b => b.Job).ToList();
            var outcome = bound.Count == 0 ? WebhookDeliveryOutcome.NoJobs
                : paused.Count == bound.Count ? WebhookDeliveryOutcome.AllPaused
                : WebhookDeliveryOutcome.Accepted;
            var runs = outcome != WebhookDeliveryOutcome.Accepted ? [] : bound.Where(b => !b.Paused).Select(b => EnqueueInScope(scope, new RunRequest(b.Job, TriggerSources.Webhook)
            {
                Payload = delivery.Payload,
                IdempotencyKey = delivery.DeliveryId is { } key ? $"webhook:{delivery.Hook}:{key}" : null,
            }, now)).ToList();
            JournalDelivery(scope, delivery, outcome == WebhookDeliveryOutcome.Accepted ? "webhook.accepted" : "webhook.rejected", new
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
        });

    private void JournalDelivery(SqliteWriteScope scope, WebhookDelivery delivery, string kind, object data) =>
        Journal(scope, delivery.ReceivedAt, kind, null, null, null, JsonSerializer.Serialize(data, KairosJson.Options));
}
