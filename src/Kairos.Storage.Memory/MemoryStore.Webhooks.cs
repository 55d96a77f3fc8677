using System.Text.Json;
using Kairos.Model;
using Kairos.Webhooks;

namespace Kairos.Storage.Memory;

/// <summary>Webhook definitions.</summary>
internal sealed partial class MemoryStore
{
    public Task SaveWebhookAsync(WebhookDefinition hook, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            var definition = JsonSerializer.Serialize(hook, KairosJson.Options);
            var previous = tx.State.Webhooks.GetValueOrDefault(hook.Name);
            tx.State = tx.State with { Webhooks = tx.State.Webhooks.SetItem(hook.Name, definition) };
            if (previous != definition)
            {
                // The definition may hold a secret: the journal records only that the hook changed.
                tx.Journal(now, previous is null ? "webhook.created" : "webhook.updated", null, null, null, HookNote(hook.Name));
            }
            return true;
        });

    public Task<WebhookDefinition?> GetWebhookAsync(string name, CancellationToken cancellationToken) =>
        Read(state => state.Webhooks.TryGetValue(name, out var definition) ? ReadWebhook(definition) : null, cancellationToken);

    public Task<IReadOnlyList<WebhookDefinition>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<WebhookDefinition>>(state => state.Webhooks.Values.Select(ReadWebhook).ToList(), cancellationToken);

    public Task<bool> DeleteWebhookAsync(string name, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            if (!tx.State.Webhooks.ContainsKey(name))
            {
                return false;
            }
            // Its delivery ids go with it: no pass of the pruner would find them again.
            tx.State = tx.State with { Webhooks = tx.State.Webhooks.Remove(name), WebhookDeliveries = tx.State.WebhookDeliveries.Remove(name) };
            tx.Journal(now, "webhook.deleted", null, null, null, HookNote(name));
            return true;
        });

    private static string HookNote(string hook) => JsonSerializer.Serialize(new { hook }, KairosJson.Options);

    private static WebhookDefinition ReadWebhook(string definition) => JsonSerializer.Deserialize<WebhookDefinition>(definition, KairosJson.Options)!;
}
