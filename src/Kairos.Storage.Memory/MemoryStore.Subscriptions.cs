using Kairos.Events;

namespace Kairos.Storage.Memory;

/// <summary>Subscriptions, kept by name.</summary>
internal sealed partial class MemoryStore
{
    public Task<Subscription?> GetSubscriptionAsync(string name, CancellationToken cancellationToken) =>
        Read(state => state.Subscriptions.GetValueOrDefault(name), cancellationToken);

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<Subscription>>(state => state.Subscriptions.Values.ToList(), cancellationToken);

    private sealed partial class Transaction
    {
        public ValueTask<Subscription?> GetSubscriptionForUpdateAsync(string name) => ValueTask.FromResult(State.Subscriptions.GetValueOrDefault(name));

        public ValueTask UpsertSubscriptionAsync(Subscription subscription, DateTimeOffset now)
        {
            State = State with { Subscriptions = State.Subscriptions.SetItem(subscription.Name, subscription) };
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> DeleteSubscriptionAsync(string name)
        {
            var found = State.Subscriptions.ContainsKey(name);
            State = State with { Subscriptions = State.Subscriptions.Remove(name) };
            return ValueTask.FromResult(found);
        }

        public ValueTask<IReadOnlyList<string>> ListOwnedSubscriptionNamesAsync(string ownerJob) =>
            ValueTask.FromResult<IReadOnlyList<string>>(State.Subscriptions.Values.Where(s => s.OwnerJob == ownerJob).Select(s => s.Name).ToList());
    }
}
