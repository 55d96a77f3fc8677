using Kairos.Events;
using Kairos.Model;
using Kairos.Webhooks;

namespace Kairos.Storage.Postgres;

/// <summary>
/// Not yet on PostgreSQL (their tables exist; the methods come in the next increment): webhooks,
/// events and subscriptions, file-watch and poll trigger state. Each throws NotSupportedException.
/// </summary>
public sealed partial class PostgresStore
{
    public Task SaveWebhookAsync(WebhookDefinition hook, DateTimeOffset now, CancellationToken cancellationToken) => throw NotYet("webhooks");

    public Task<WebhookDefinition?> GetWebhookAsync(string name, CancellationToken cancellationToken) => throw NotYet("webhooks");

    public Task<IReadOnlyList<WebhookDefinition>> ListWebhooksAsync(CancellationToken cancellationToken) => throw NotYet("webhooks");

    public Task<bool> DeleteWebhookAsync(string name, DateTimeOffset now, CancellationToken cancellationToken) => throw NotYet("webhooks");

    public Task<WebhookDeliveryResult> AcceptWebhookDeliveryAsync(WebhookDelivery delivery, CancellationToken cancellationToken) => throw NotYet("webhook deliveries");

    public Task SaveSubscriptionAsync(Subscription subscription, DateTimeOffset now, CancellationToken cancellationToken) => throw NotYet("subscriptions");

    public Task ReplaceOwnedSubscriptionsAsync(string ownerJob, IReadOnlyList<Subscription> subscriptions, DateTimeOffset now, CancellationToken cancellationToken) =>
        throw NotYet("subscriptions");

    public Task<Subscription?> GetSubscriptionAsync(string name, CancellationToken cancellationToken) => throw NotYet("subscriptions");

    public Task<IReadOnlyList<Subscription>> ListSubscriptionsAsync(CancellationToken cancellationToken) => throw NotYet("subscriptions");

    public Task<bool> DeleteSubscriptionAsync(string name, DateTimeOffset now, CancellationToken cancellationToken) => throw NotYet("subscriptions");

    public Task<PublishResult> PublishAsync(EventRequest request, DateTimeOffset now, CancellationToken cancellationToken) => throw NotYet("events");

    public Task<StoredEvent?> GetEventAsync(long eventId, CancellationToken cancellationToken) => throw NotYet("events");

    public Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken cancellationToken) => throw NotYet("events");

    public Task<int> CancelEventAsync(long eventId, DateTimeOffset now, CancellationToken cancellationToken) => throw NotYet("events");

    public Task<IReadOnlyList<EnqueueResult>> ReplayEventsAsync(ReplayRequest request, DateTimeOffset now, CancellationToken cancellationToken) => throw NotYet("event replay");

    public Task<IReadOnlyList<FileSnapshot>> GetFileStateAsync(long triggerId, CancellationToken cancellationToken) => throw NotYet("file-watch state");

    public Task<EnqueueResult?> RecordFileChangeAsync(long triggerId, string path, FileSnapshot? current, string? previousPath, RunRequest? run, DateTimeOffset now,
        CancellationToken cancellationToken) => throw NotYet("file-watch state");

    public Task<PollState?> GetPollStateAsync(long triggerId, CancellationToken cancellationToken) => throw NotYet("poll state");

    public Task<EnqueueResult?> RecordPollAsync(long triggerId, PollState state, RunRequest? run, string? failure, DateTimeOffset now, CancellationToken cancellationToken) =>
        throw NotYet("poll state");
}
