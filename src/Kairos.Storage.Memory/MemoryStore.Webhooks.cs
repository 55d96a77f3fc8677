using System.Text.Json;
using Kairos.Model;
using Kairos.Webhooks;

namespace Kairos.Storage.Memory;

/// <summary>Webhook definitions.</summary>
internal sealed partial class MemoryStore
{
    public Task<WebhookDefinition?> GetWebhookAsync(string name, CancellationToken cancellationToken) =>
        Read(state => state.Webhooks.TryGetValue(name, out var definition) ? ReadWebhook(definition) : null, cancellationToken);

    public Task<IReadOnlyList<WebhookDefinition>> ListWebhooksAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<WebhookDefinition>>(state => state.Webhooks.Values.Select(ReadWebhook).ToList(), cancellationToken);

    private sealed partial class Transaction
    {
        public ValueTask<string?> GetWebhookDefinitionForUpdateAsync(string name) => ValueTask.FromResult(State.Webhooks.GetValueOrDefault(name));

        public ValueTask UpsertWebhookAsync(string name, string definition, DateTimeOffset now)
        {
            State = State with { Webhooks = State.Webhooks.SetItem(name, definition) };
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> DeleteWebhookAsync(string name)
        {
            var found = State.Webhooks.ContainsKey(name);
            State = State with { Webhooks = State.Webhooks.Remove(name), WebhookDeliveries = State.WebhookDeliveries.Remove(name) };
            return ValueTask.FromResult(found);
        }
    }

    private static WebhookDefinition ReadWebhook(string definition) => JsonSerializer.Deserialize<WebhookDefinition>(definition, KairosJson.Options)!;
}
