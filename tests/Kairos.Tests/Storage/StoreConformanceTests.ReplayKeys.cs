using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;
using Kairos.Webhooks;

namespace Kairos.Tests.Storage;

/// <summary>Deliveries without an id (Stripe, timestamped HMAC) are refused when repeated, by their replay key.</summary>
public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task A_delivery_without_an_id_is_refused_when_its_replay_key_was_seen_within_the_window()
    {
        var spec = new WebhookTriggerSpec("stripe");
        await Store.SaveWebhookAsync(new WebhookDefinition("stripe"), T0, CancellationToken.None);
        await Store.SaveJobAsync(new JobDefinition { Name = "charge", Executor = new HandlerExecutorSpec("ok"), Triggers = [spec] },
            [new TriggerRegistration("webhook:stripe", spec, null)], T0, CancellationToken.None);
        var delivery = new WebhookDelivery("stripe", null, "{}", T0) { ReplayKey = "sha256:aa", SentAt = T0, ReplayWindow = TimeSpan.FromMinutes(5) };

        Assert.Equal(WebhookDeliveryOutcome.Accepted, (await AcceptDeliveryAsync(delivery)).Outcome);
        Assert.Equal(WebhookDeliveryOutcome.Replayed, (await AcceptDeliveryAsync(delivery with { ReceivedAt = T0.AddMinutes(4) })).Outcome);
        Assert.Equal(WebhookDeliveryOutcome.Accepted, (await AcceptDeliveryAsync(delivery with { ReplayKey = "sha256:bb" })).Outcome);
        Assert.Equal(2, (await Store.ListRunsAsync(new RunQuery { JobName = "charge" }, CancellationToken.None)).Count);
    }
}
