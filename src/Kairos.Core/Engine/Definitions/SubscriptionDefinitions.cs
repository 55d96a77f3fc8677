using System.Text.Json;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Definitions;

/// <summary>
/// Saving and deleting subscriptions, for every driver: a save that changes nothing writes nothing;
/// every change is journaled (subscription.created / updated / deleted). A job's completion triggers
/// own their subscriptions, which are replaced as a set when the job is saved.
/// </summary>
internal static class SubscriptionDefinitions
{
    public static async ValueTask<bool> SaveAsync(IDriverTransaction tx, Subscription subscription, DateTimeOffset now)
    {
        var previous = await tx.GetSubscriptionForUpdateAsync(subscription.Name).ConfigureAwait(false);
        if (previous == subscription)
        {
            return false;
        }
        await tx.UpsertSubscriptionAsync(subscription, now).ConfigureAwait(false);
        await tx.AppendJournalAsync(now, previous is null ? "subscription.created" : "subscription.updated", subscription.Job, null, null,
            JsonSerializer.Serialize(new
            {
                subscription = subscription.Name,
                pattern = subscription.Pattern,
                filter = JsonDocument.Parse(subscription.Filter).RootElement,
                active = subscription.Active,
            }, KairosJson.Options)).ConfigureAwait(false);
        return true;
    }

    /// <summary>False when there is no such subscription.</summary>
    public static async ValueTask<bool> DeleteAsync(IDriverTransaction tx, string name, string? ownerJob, DateTimeOffset now)
    {
        if (!await tx.DeleteSubscriptionAsync(name).ConfigureAwait(false))
        {
            return false;
        }
        await tx.AppendJournalAsync(now, "subscription.deleted", ownerJob, null, null,
            JsonSerializer.Serialize(new { subscription = name }, KairosJson.Options)).ConfigureAwait(false);
        return true;
    }

    /// <summary>Makes the subscriptions owned by <paramref name="ownerJob"/>'s completion triggers exactly <paramref name="subscriptions"/>.</summary>
    public static async ValueTask<bool> ReplaceOwnedAsync(IDriverTransaction tx, string ownerJob, IReadOnlyList<Subscription> subscriptions, DateTimeOffset now)
    {
        var keep = subscriptions.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var name in (await tx.ListOwnedSubscriptionNamesAsync(ownerJob).ConfigureAwait(false)).Where(n => !keep.Contains(n)))
        {
            await DeleteAsync(tx, name, ownerJob, now).ConfigureAwait(false);
        }
        foreach (var subscription in subscriptions)
        {
            await SaveAsync(tx, subscription with { OwnerJob = ownerJob }, now).ConfigureAwait(false);
        }
        return true;
    }
}
