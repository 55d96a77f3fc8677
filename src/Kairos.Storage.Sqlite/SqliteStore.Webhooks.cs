using System.Text.Json;
using Kairos.Model;
using Kairos.Webhooks;

namespace Kairos.Storage.Sqlite;

/// <summary>Webhook definitions and deliveries.</summary>
internal sealed partial class SqliteStore
{
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

    public Task AppendJournalAsync(string kind, string? jobName, string? data, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            Journal(scope, now, kind, jobName, null, null, data);
            return true;
        });
}
