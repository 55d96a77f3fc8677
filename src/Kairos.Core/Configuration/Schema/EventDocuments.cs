using System.Text.Json.Nodes;

namespace Kairos.Configuration.Schema;

/// <summary>A subscription as the YAML file's <c>subscriptions:</c> and the API write it.</summary>
internal sealed record SubscriptionDocument
{
    /// <summary>Read-only: the subscription's name (a PUT takes it from the URL).</summary>
    public string? Name { get; init; }

    /// <summary>The event type pattern, e.g. <c>order.*</c>.</summary>
    public string? Events { get; init; }

    /// <summary>The JSON filter over the event (equality, glob, $gt $gte $lt $lte $ne $in $exists); none: every event of the pattern.</summary>
    public JsonNode? Filter { get; init; }

    public string? Job { get; init; }
    public bool? Active { get; init; }

    /// <summary>Read-only (a PUT ignores it).</summary>
    public SubscriptionStatusDocument? Status { get; init; }
}

/// <param name="OwnerJob">The job whose completion trigger manages this subscription; null: made by a person.</param>
/// <param name="MaxDepth">For a managed subscription, the depth at which a chain of runs stops.</param>
internal sealed record SubscriptionStatusDocument(string? OwnerJob, int? MaxDepth);

/// <summary>A webhook as the YAML file's <c>webhooks:</c> and the API write it. A literal secret goes in and never comes out.</summary>
internal sealed record WebhookDocument
{
    /// <summary>Read-only: the webhook's name (a PUT takes it from the URL).</summary>
    public string? Name { get; init; }

    public string? Verify { get; init; }

    /// <summary>The shared secret, or <c>{{secrets.NAME}}</c> for a stored secret; a literal one is never shown.</summary>
    public string? Secret { get; init; }

    public string? SecretEnv { get; init; }
    public string? ReplayWindow { get; init; }
    public long? MaxBodyBytes { get; init; }
    public WebhookRateDocument? RateLimit { get; init; }
    public List<string>? Headers { get; init; }
    public WebhookHmacDocument? Hmac { get; init; }
    public string? Publish { get; init; }

    /// <summary>Read-only (a PUT ignores it).</summary>
    public WebhookStatusDocument? Status { get; init; }
}

internal sealed record WebhookRateDocument(int Requests, string Per);

internal sealed record WebhookHmacDocument(string Header)
{
    public string? Algorithm { get; init; }
    public string? Encoding { get; init; }
    public string? Prefix { get; init; }
    public string? SignedContent { get; init; }
    public string? TimestampHeader { get; init; }
}

/// <param name="Url">Where deliveries are sent: <c>/hooks/NAME</c> on this server.</param>
/// <param name="Secret">Where the secret comes from, in words; never the secret.</param>
internal sealed record WebhookStatusDocument(string Url, string? Secret);
