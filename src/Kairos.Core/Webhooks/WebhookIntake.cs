using System.Text.Json;
using Kairos.Engine.Enqueueing;
using Kairos.Events;
using Kairos.Events.Routing;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Webhooks;

/// <summary>
/// Accepting a verified webhook delivery, in one transaction, for every driver: a delivery id seen
/// within the hook's replay window is refused (Standard Webhooks replay protection; Stripe and
/// timestamped HMAC deliveries, which have no id, by their replay key the same way) without a journal
/// entry (a replayed delivery is refused as often as an attacker sends it: the endpoint counts it with
/// the other refusals), then one run is enqueued per job with a trigger for the hook (paused jobs are
/// skipped), the hook's event is published if it has one (so a hook that publishes is accepted with no
/// job bound), and the outcome is journaled with the HTTP status the endpoint answers.
/// </summary>
internal static class WebhookIntake
{
    public static async ValueTask<WebhookDeliveryResult> AcceptAsync(IDriverTransaction tx, WebhookDelivery delivery)
    {
        var now = delivery.ReceivedAt;
        // A delivery stamped ahead of now stays acceptable until its timestamp's window ends, so its id
        // must be remembered that long: counted from receipt, it would be forgotten while a replay of it
        // still passed the timestamp check.
        var windowStart = delivery.SentAt > now ? delivery.SentAt.Value : now;
        // A replay key is kept where delivery ids are: a hook has one scheme, so the two never meet.
        var remembered = (delivery.RejectRepeatedId ? delivery.DeliveryId : null) ?? delivery.ReplayKey;
        if (remembered is not null
            && !await tx.RememberDeliveryIdAsync(delivery.Hook, remembered, windowStart, now - delivery.ReplayWindow).ConfigureAwait(false))
        {
            return new WebhookDeliveryResult(WebhookDeliveryOutcome.Replayed, [], []);
        }

        var bound = (await tx.ListTriggersAsync(TriggerSources.Webhook).ConfigureAwait(false))
            .Where(t => t.Spec is WebhookTriggerSpec hook && hook.Hook == delivery.Hook)
            .DistinctBy(t => t.JobName)
            .ToList();
        var paused = bound.Where(b => b.JobPaused).Select(b => b.JobName).ToList();
        var outcome = delivery.Publish is not null ? WebhookDeliveryOutcome.Accepted
            : bound.Count == 0 ? WebhookDeliveryOutcome.NoJobs
            : paused.Count == bound.Count ? WebhookDeliveryOutcome.AllPaused
            : WebhookDeliveryOutcome.Accepted;
        var runs = new List<EnqueueResult>();
        if (outcome == WebhookDeliveryOutcome.Accepted)
        {
            foreach (var binding in bound.Where(b => !b.JobPaused))
            {
                runs.Add(await RunEnqueuer.EnqueueAsync(tx, new RunRequest(binding.JobName, TriggerSources.Webhook)
                {
                    Payload = delivery.Payload,
                    IdempotencyKey = delivery.DeliveryId is { } key ? $"webhook:{delivery.Hook}:{key}" : null,
                }, now).ConfigureAwait(false));
            }
        }
        PublishResult? published = null;
        if (delivery.Publish is { } type)
        {
            published = await EventRouter.PublishAsync(tx, new EventRequest(Access.Namespaces.Qualify(Access.Namespaces.Of(delivery.Hook), type), TriggerSources.Webhook)
            {
                Data = delivery.Payload,
                IdempotencyKey = delivery.DeliveryId is { } key ? $"webhook:{delivery.Hook}:{key}" : null,
            }, now).ConfigureAwait(false);
        }
        await JournalAsync(tx, delivery, outcome == WebhookDeliveryOutcome.Accepted ? "webhook.accepted" : "webhook.rejected", new
        {
            hook = delivery.Hook,
            deliveryId = delivery.DeliveryId,
            status = outcome switch { WebhookDeliveryOutcome.Accepted => 202, WebhookDeliveryOutcome.NoJobs => 404, _ => 409 },
            reason = outcome switch
            {
                WebhookDeliveryOutcome.Accepted => paused.Count > 0 ? $"accepted; paused jobs skipped: {string.Join(", ", paused)}" : "accepted",
                WebhookDeliveryOutcome.NoJobs => "no job has a trigger for this hook",
                _ => $"every bound job is paused: {string.Join(", ", paused)}",
            },
            runIds = runs.Select(r => r.RunId),
            eventId = published?.EventId,
        }).ConfigureAwait(false);
        return new WebhookDeliveryResult(outcome, runs, paused) { Published = published };
    }

    private static ValueTask JournalAsync(IDriverTransaction tx, WebhookDelivery delivery, string kind, object data) =>
        tx.AppendJournalAsync(delivery.ReceivedAt, kind, null, null, null, JsonSerializer.Serialize(data, KairosJson.Options));
}
