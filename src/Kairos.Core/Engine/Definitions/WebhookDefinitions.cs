using System.Text.Json;
using Kairos.Model;
using Kairos.Storage.Drivers;
using Kairos.Webhooks;

namespace Kairos.Engine.Definitions;

/// <summary>
/// Saving and deleting webhook definitions, for every driver. The definition may hold a secret,
/// so the journal records only that the hook was created, updated or deleted, never what it says.
/// </summary>
internal static class WebhookDefinitions
{
    /// <summary>Saves the hook; <paramref name="seal"/> encrypts a literal secret (null: stored as given, its secret already sealed or none).</summary>
    public static async ValueTask<bool> SaveAsync(IDriverTransaction tx, WebhookDefinition hook, DateTimeOffset now, Secrets.WebhookSecretSeal? seal)
    {
        var previous = await tx.GetWebhookDefinitionForUpdateAsync(hook.Name).ConfigureAwait(false);
        if (seal is not null)
        {
            hook = seal.Seal(hook, previous);
        }
        var definition = JsonSerializer.Serialize(hook, KairosJson.Options);
        await tx.UpsertWebhookAsync(hook.Name, definition, now).ConfigureAwait(false);
        if (previous != definition)
        {
            await tx.AppendJournalAsync(now, previous is null ? "webhook.created" : "webhook.updated", null, null, null,
                JsonSerializer.Serialize(new { hook = hook.Name }, KairosJson.Options)).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Deletes the hook and the delivery ids kept for it (no pass of the pruner would find them again); false when there is none.</summary>
    public static async ValueTask<bool> DeleteAsync(IDriverTransaction tx, string name, DateTimeOffset now)
    {
        if (!await tx.DeleteWebhookAsync(name).ConfigureAwait(false))
        {
            return false;
        }
        await tx.AppendJournalAsync(now, "webhook.deleted", null, null, null, JsonSerializer.Serialize(new { hook = name }, KairosJson.Options)).ConfigureAwait(false);
        return true;
    }
}
