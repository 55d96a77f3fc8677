using System.Text.Json;
using Kairos.Events;
using Kairos.Model;

namespace Kairos.Storage.Memory;

/// <summary>Subscriptions, kept by name.</summary>
internal sealed partial class MemoryStore
{
    public Task SaveSubscriptionAsync(Subscription subscription, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            UpsertSubscription(tx, subscription, now);
            return true;
        });

    public Task ReplaceOwnedSubscriptionsAsync(string ownerJob, IReadOnlyList<Subscription> subscriptions, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            var keep = subscriptions.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            var owned = tx.State.Subscriptions.Values.Where(s => s.OwnerJob == ownerJob).Select(s => s.Name).ToList();
            foreach (var name in owned.Where(n => !keep.Contains(n)))
            {
                RemoveSubscription(tx, name, ownerJob, now);
            }
            foreach (var subscription in subscriptions)
            {
                UpsertSubscription(tx, subscription with { OwnerJob = ownerJob }, now);
            }
            return true;
        });

    private static void UpsertSubscription(Transaction tx, Subscription s, DateTimeOffset now)
    {
        var previous = tx.State.Subscriptions.GetValueOrDefault(s.Name);
        if (previous == s)
        {
            return;
        }
        tx.State = tx.State with { Subscriptions = tx.State.Subscriptions.SetItem(s.Name, s) };
        tx.Journal(now, previous is null ? "subscription.created" : "subscription.updated", s.Job, null, null,
            JsonSerializer.Serialize(new { subscription = s.Name, pattern = s.Pattern, filter = JsonDocument.Parse(s.Filter).RootElement, active = s.Active }, KairosJson.Options));
    }

    public Task<Subscription?> GetSubscriptionAsync(string name, CancellationToken cancellationToken) =>
        Read(state => state.Subscriptions.GetValueOrDefault(name), cancellationToken);

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<Subscription>>(state => state.Subscriptions.Values.ToList(), cancellationToken);

    public Task<bool> DeleteSubscriptionAsync(string name, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(tx =>
        {
            if (!tx.State.Subscriptions.ContainsKey(name))
            {
                return false;
            }
            RemoveSubscription(tx, name, null, now);
            return true;
        });

    private static void RemoveSubscription(Transaction tx, string name, string? journalJob, DateTimeOffset now)
    {
        tx.State = tx.State with { Subscriptions = tx.State.Subscriptions.Remove(name) };
        tx.Journal(now, "subscription.deleted", journalJob, null, null, JsonSerializer.Serialize(new { subscription = name }, KairosJson.Options));
    }
}
