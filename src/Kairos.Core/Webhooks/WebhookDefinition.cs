namespace Kairos.Webhooks;

/// <summary>How a webhook proves a delivery came from its sender.</summary>
public enum WebhookVerification
{
    /// <summary>Anyone who can reach the URL can fire it. Only sensible on a private network.</summary>
    None,

    /// <summary>GitHub style: <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>.</summary>
    GitHub,

    /// <summary>Standard Webhooks: <c>webhook-id</c>, <c>webhook-timestamp</c>, <c>webhook-signature: v1,&lt;base64&gt;</c>, with a replay window.</summary>
    StandardWebhooks,

    /// <summary><c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    Bearer,
}

/// <summary>
/// Where a secret comes from: written in the configuration, or read from an environment variable
/// when a delivery is checked. Secrets are never returned by the API, logged or journaled.
/// </summary>
public sealed record SecretSource(string? Value, string? EnvironmentVariable)
{
    public static SecretSource Literal(string value) => new(value, null);

    public static SecretSource Environment(string name) => new(null, name);

    /// <summary>The secret, or null when the environment variable is not set.</summary>
    public string? Resolve() => Value ?? (EnvironmentVariable is { } name ? System.Environment.GetEnvironmentVariable(name) : null);

    /// <summary>What the API shows instead of the secret.</summary>
    public string Describe() => EnvironmentVariable is { } name ? $"from environment variable {name}" : "set in configuration";
}

/// <summary>At most <see cref="Requests"/> deliveries per <see cref="Per"/>; more get 429 with Retry-After.</summary>
public sealed record WebhookRateLimit(int Requests, TimeSpan Per);

/// <summary>
/// An inbound webhook, served at <c>POST /hooks/{name}</c>. Jobs bind to it with a
/// <c>webhook: NAME</c> trigger; one delivery enqueues one run per bound job.
/// </summary>
public sealed record WebhookDefinition(string Name)
{
    public WebhookVerification Verification { get; init; } = WebhookVerification.None;
    public SecretSource? Secret { get; init; }

    /// <summary>Standard Webhooks: how far a delivery's timestamp may be from now, and how long its id is remembered. Default 5 min.</summary>
    public TimeSpan ReplayWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Bodies larger than this are refused with 413. Default 1 MiB.</summary>
    public long MaxBodyBytes { get; init; } = 1024 * 1024;

    public WebhookRateLimit? RateLimit { get; init; }

    /// <summary>Request headers copied into the run's payload (case-insensitive). Authentication headers are never copied.</summary>
    public IReadOnlyList<string> Headers { get; init; } = [];
}
