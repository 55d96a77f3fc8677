using Kairos.Storage.Drivers;

namespace Kairos.Engine.Definitions;

/// <summary>
/// Keeps the stored definitions true to the configuration (the YAML file, <c>AddJob</c>…): what it
/// declared at the last start is remembered, and a job, webhook or subscription it declared then but
/// not now is deleted, so removing a job from the file stops it. Definitions created through the API
/// were never declared and are left alone. A removed job's queued runs are cancelled and its running
/// ones asked to stop (journaled with the job's deletion).
/// </summary>
internal static class DeclaredDefinitions
{
    public const string Job = "job";
    public const string Webhook = "webhook";
    public const string Subscription = "subscription";

    /// <summary>Deletes what was declared before but is not in <paramref name="declared"/>, then remembers <paramref name="declared"/>; returns what was deleted.</summary>
    public static async ValueTask<IReadOnlyList<DeclaredName>> ApplyAsync(IDriverTransaction tx, IReadOnlyList<DeclaredName> declared, DateTimeOffset now)
    {
        var keep = declared.ToHashSet();
        var removed = (await tx.ListDeclaredAsync().ConfigureAwait(false)).Where(n => !keep.Contains(n)).ToList();
        // Subscriptions first: they name jobs.
        foreach (var gone in removed.OrderBy(n => n.Kind == Subscription ? 0 : 1))
        {
            _ = gone.Kind switch
            {
                Job => (await JobDefinitions.DeleteAsync(tx, gone.Name, cancelRuns: true, now).ConfigureAwait(false)).Deleted,
                Webhook => await WebhookDefinitions.DeleteAsync(tx, gone.Name, now).ConfigureAwait(false),
                _ => await SubscriptionDefinitions.DeleteAsync(tx, gone.Name, null, now).ConfigureAwait(false),
            };
        }
        await tx.ReplaceDeclaredAsync(declared).ConfigureAwait(false);
        return removed;
    }
}
