using Kairos.Access;
using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Webhooks;

namespace Kairos.Client;

/// <summary>Events, subscriptions and webhooks.</summary>
internal sealed partial class KairosClient
{
    /// <summary>The event is published in this client's namespace: its type says so (billing/invoice.paid).</summary>
    public Task<PublishResult> PublishAsync(EventRequest request, CancellationToken cancellationToken = default)
    {
        var type = Here(request.Type) ?? throw new KairosValidationException($"event type '{request.Type}' is not in namespace '{ns}', where this request works");
        return engine.PublishAsync(request with { Type = type }, cancellationToken);
    }

    public async Task<StoredEvent?> GetEventAsync(long eventId, CancellationToken cancellationToken = default)
    {
        var stored = await Store.GetEventAsync(eventId, cancellationToken).ConfigureAwait(false);
        return stored is not null && Namespaces.Contains(ns, stored.Type) ? stored : null;
    }

    public Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken = default) =>
        Store.ListEventsAsync(query with { Limit = Math.Clamp(query.Limit, 1, MaxEvents), Namespace = ns }, cancellationToken);

    /// <summary>The most events one list returns: the stores page through until the list is full.</summary>
    private const int MaxEvents = 10_000;

    public async Task<int> CancelEventAsync(long eventId, CancellationToken cancellationToken = default)
    {
        await FindEventAsync(eventId, cancellationToken).ConfigureAwait(false);
        return await Store.CancelEventAsync(eventId, Clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RunRecord>> RetryEventAsync(long eventId, CancellationToken cancellationToken = default)
    {
        await FindEventAsync(eventId, cancellationToken).ConfigureAwait(false);
        return await engine.RetryEventAsync(eventId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A subscription reaches only events of its own namespace, so a replay stays in it.</summary>
    public Task<IReadOnlyList<EnqueueResult>> ReplayEventsAsync(ReplayRequest request, CancellationToken cancellationToken = default) =>
        engine.ReplayEventsAsync(request with { Subscription = NameHere(request.Subscription, "subscription") }, cancellationToken);

    /// <summary>One event: the replay of the millisecond it was published, narrowed to its id, to each subscription in turn.</summary>
    public async Task<IReadOnlyList<EnqueueResult>> ReplayEventAsync(long eventId, string? subscription = null, CancellationToken cancellationToken = default)
    {
        var evt = await GetEventAsync(eventId, cancellationToken).ConfigureAwait(false) ?? throw new KairosNotFoundException($"event {eventId} does not exist");
        var targets = subscription is not null
            ? [NameHere(subscription, "subscription")]
            : EventReplayTargets.Of(evt, await ListSubscriptionsAsync(cancellationToken).ConfigureAwait(false));
        var runs = new List<EnqueueResult>();
        foreach (var target in targets)
        {
            var request = new ReplayRequest(target, evt.PublishedAt, evt.PublishedAt.AddMilliseconds(1)) { EventId = eventId };
            runs.AddRange(await engine.ReplayEventsAsync(request, cancellationToken).ConfigureAwait(false));
        }
        return runs;
    }

    public async Task SaveSubscriptionAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        subscription = Namespaces.Into(ns ?? Namespaces.Default, subscription);
        RequireHere(subscription.Name, "subscription");
        await engine.SaveSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Subscription?> GetSubscriptionAsync(string name, CancellationToken cancellationToken = default) =>
        Here(name) is { } here ? await Store.GetSubscriptionAsync(here, cancellationToken).ConfigureAwait(false) : null;

    public async Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken = default) =>
        (await Store.ListSubscriptionsAsync(cancellationToken).ConfigureAwait(false)).Where(s => Namespaces.Contains(ns, s.Name)).ToList();

    public async Task<bool> DeleteSubscriptionAsync(string name, CancellationToken cancellationToken = default) =>
        Here(name) is { } here && await Store.DeleteSubscriptionAsync(here, Clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);

    public async Task SaveWebhookAsync(WebhookDefinition hook, CancellationToken cancellationToken = default)
    {
        hook = Namespaces.Into(ns ?? Namespaces.Default, hook);
        RequireHere(hook.Name, "webhook");
        await engine.SaveWebhookAsync(hook, cancellationToken).ConfigureAwait(false);
    }

    public async Task<WebhookDefinition?> GetWebhookAsync(string name, CancellationToken cancellationToken = default) =>
        Here(name) is { } here ? await Store.GetWebhookAsync(here, cancellationToken).ConfigureAwait(false) : null;

    public async Task<IReadOnlyList<WebhookDefinition>> ListWebhooksAsync(CancellationToken cancellationToken = default) =>
        (await Store.ListWebhooksAsync(cancellationToken).ConfigureAwait(false)).Where(w => Namespaces.Contains(ns, w.Name)).ToList();

    public async Task<bool> DeleteWebhookAsync(string name, CancellationToken cancellationToken = default) =>
        Here(name) is { } here && await Store.DeleteWebhookAsync(here, Clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);

    /// <summary>A webhook fires only jobs of its own namespace: a job's webhook trigger names a hook of the job's namespace.</summary>
    public Task<WebhookDeliveryResult> AcceptWebhookAsync(WebhookDelivery delivery, CancellationToken cancellationToken = default) =>
        engine.AcceptWebhookAsync(delivery with { Hook = NameHere(delivery.Hook, "webhook") }, cancellationToken);

    public void CountWebhookRefusal(string hook, WebhookRefusalReason reason) => engine.WebhookRefusals.Count(Here(hook) ?? hook, reason);

    private async Task FindEventAsync(long eventId, CancellationToken cancellationToken)
    {
        _ = await GetEventAsync(eventId, cancellationToken).ConfigureAwait(false)
            ?? throw new KairosNotFoundException($"event {eventId} does not exist");
    }
}
