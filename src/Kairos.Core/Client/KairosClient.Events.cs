using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Webhooks;

namespace Kairos.Client;

/// <summary>Events, subscriptions and webhooks.</summary>
internal sealed partial class KairosClient
{
    public Task<PublishResult> PublishAsync(EventRequest request, CancellationToken cancellationToken = default) =>
        engine.PublishAsync(request, cancellationToken);

    public Task<StoredEvent?> GetEventAsync(long eventId, CancellationToken cancellationToken = default) =>
        Store.GetEventAsync(eventId, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken = default) =>
        Store.ListEventsAsync(query with { Limit = Math.Clamp(query.Limit, 1, MaxEvents) }, cancellationToken);

    /// <summary>The most events one list returns: the stores page through until the list is full.</summary>
    private const int MaxEvents = 10_000;

    public Task<int> CancelEventAsync(long eventId, CancellationToken cancellationToken = default) =>
        Store.CancelEventAsync(eventId, Clock.GetUtcNow(), cancellationToken);

    public Task<IReadOnlyList<RunRecord>> RetryEventAsync(long eventId, CancellationToken cancellationToken = default) =>
        engine.RetryEventAsync(eventId, cancellationToken);

    public Task<IReadOnlyList<EnqueueResult>> ReplayEventsAsync(ReplayRequest request, CancellationToken cancellationToken = default) =>
        engine.ReplayEventsAsync(request, cancellationToken);

    public Task SaveSubscriptionAsync(Subscription subscription, CancellationToken cancellationToken = default) =>
        engine.SaveSubscriptionAsync(subscription, cancellationToken);

    public Task<Subscription?> GetSubscriptionAsync(string name, CancellationToken cancellationToken = default) =>
        Store.GetSubscriptionAsync(name, cancellationToken);

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        Store.ListSubscriptionsAsync(cancellationToken);

    public Task<bool> DeleteSubscriptionAsync(string name, CancellationToken cancellationToken = default) =>
        Store.DeleteSubscriptionAsync(name, Clock.GetUtcNow(), cancellationToken);

    public Task SaveWebhookAsync(WebhookDefinition hook, CancellationToken cancellationToken = default) =>
        engine.SaveWebhookAsync(hook, cancellationToken);

    public Task<WebhookDefinition?> GetWebhookAsync(string name, CancellationToken cancellationToken = default) =>
        Store.GetWebhookAsync(name, cancellationToken);

    public Task<IReadOnlyList<WebhookDefinition>> ListWebhooksAsync(CancellationToken cancellationToken = default) =>
        Store.ListWebhooksAsync(cancellationToken);

    public Task<bool> DeleteWebhookAsync(string name, CancellationToken cancellationToken = default) =>
        Store.DeleteWebhookAsync(name, Clock.GetUtcNow(), cancellationToken);

    public Task<WebhookDeliveryResult> AcceptWebhookAsync(WebhookDelivery delivery, CancellationToken cancellationToken = default) =>
        engine.AcceptWebhookAsync(delivery, cancellationToken);

    public void CountWebhookRefusal(string hook, WebhookRefusalReason reason) => engine.WebhookRefusals.Count(hook, reason);
}
