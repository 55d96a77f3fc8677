using System.Text.Json;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;
using Kairos.Webhooks;

namespace Kairos.Engine.Definitions;

/// <summary>What applying a configuration changes: each declared definition compared with the stored one, and what is no longer declared.</summary>
internal static class ConfigurationPlan
{
    public static IReadOnlyList<DeclaredName> Names(IReadOnlyList<JobDefinition> jobs, IReadOnlyList<WebhookDefinition> webhooks, IReadOnlyList<Subscription> subscriptions) =>
        jobs.Select(j => new DeclaredName(DeclaredDefinitions.Job, j.Name))
            .Concat(webhooks.Select(w => new DeclaredName(DeclaredDefinitions.Webhook, w.Name)))
            .Concat(subscriptions.Select(s => new DeclaredName(DeclaredDefinitions.Subscription, s.Name)))
            .Distinct()
            .ToList();

    public static async Task<ApplyPlan> ForAsync(IKairosStore store, IReadOnlyList<JobDefinition> jobs, IReadOnlyList<WebhookDefinition> webhooks,
        IReadOnlyList<Subscription> subscriptions, CancellationToken ct, Secrets.WebhookSecretSeal? seal = null)
    {
        var changes = new List<ApplyChange>();
        foreach (var hook in webhooks)
        {
            var stored = Json(await store.GetWebhookAsync(hook.Name, ct).ConfigureAwait(false));
            changes.Add(Change(DeclaredDefinitions.Webhook, hook.Name, stored, Json(Sealed(hook, stored, seal))));
        }
        foreach (var job in jobs)
        {
            changes.Add(Change(DeclaredDefinitions.Job, job.Name, Json((await store.GetJobAsync(job.Name, ct).ConfigureAwait(false))?.Definition), Json(job)));
        }
        foreach (var subscription in subscriptions)
        {
            // Stored with its filter normalized and no owner: compare it as it would be stored.
            var stored = await store.GetSubscriptionAsync(subscription.Name, ct).ConfigureAwait(false);
            var wanted = subscription with { Filter = EventFilter.Parse(subscription.Filter).Json, OwnerJob = null };
            changes.Add(Change(DeclaredDefinitions.Subscription, subscription.Name, Json(stored), Json(wanted)));
        }
        var declared = Names(jobs, webhooks, subscriptions).ToHashSet();
        var before = await store.WriteAsync(tx => tx.ListDeclaredAsync(), ct).ConfigureAwait(false);
        changes.AddRange(before.Where(n => !declared.Contains(n)).Select(n => new ApplyChange(n.Kind, n.Name, ApplyAction.Delete)));
        return new ApplyPlan(changes, DryRun: false);
    }

    /// <summary>The hook as it would be stored: a literal secret sealed, keeping the stored ciphertext when the value is the same.</summary>
    private static WebhookDefinition Sealed(WebhookDefinition hook, string? stored, Secrets.WebhookSecretSeal? seal)
    {
        try
        {
            return seal?.Seal(hook, stored) ?? hook;
        }
        catch (KairosValidationException)
        {
            return hook; // No secret key: saving it will say so; the plan shows it as it was declared.
        }
    }

    private static ApplyChange Change(string kind, string name, string? stored, string? wanted) =>
        new(kind, name, stored is null ? ApplyAction.Create : stored == wanted ? ApplyAction.Unchanged : ApplyAction.Update);

    private static string? Json<T>(T? value) where T : class => value is null ? null : JsonSerializer.Serialize(value, KairosJson.Options);
}
