using System.Text.Json;
using Kairos.Model;
using Kairos.Webhooks;

namespace Kairos.Storage.Sqlite;

/// <summary>Webhook definitions and deliveries.</summary>
internal sealed partial class SqliteStore
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
                // Its delivery ids go with it: no pass of the pruner would find them again.
                scope.Execute("DELETE FROM webhook_deliveries WHERE hook = @name", ("@name", name));
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
}
