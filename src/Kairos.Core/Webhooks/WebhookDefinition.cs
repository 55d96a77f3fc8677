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

    /// <summary>Stripe: <c>Stripe-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c>, the timestamp within the replay window.</summary>
    Stripe,

    /// <summary>Any HMAC scheme described by <see cref="WebhookDefinition.Hmac"/> (Shopify, Slack, GitHub and the like).</summary>
    Hmac,
}

/// <summary>The hash an <see cref="WebhookVerification.Hmac"/> signature uses.</summary>
public enum HmacAlgorithm
{
    Sha256,
    Sha1,
    Sha512,
}

/// <summary>How an <see cref="WebhookVerification.Hmac"/> signature is written in its header.</summary>
public enum SignatureEncoding
{
    Hex,
    Base64,
}

/// <summary>
/// A generic HMAC signature: the header <see cref="Header"/> holds <see cref="Prefix"/> followed by
/// the HMAC of <see cref="SignedContent"/> with the hook's secret (its UTF-8 bytes) as the key.
/// </summary>
/// <example>
/// Shopify: <c>new HmacVerification("X-Shopify-Hmac-Sha256") { Encoding = SignatureEncoding.Base64 }</c>.
/// Slack: <c>new HmacVerification("X-Slack-Signature") { Prefix = "v0=", SignedContent = "v0:{{header.X-Slack-Request-Timestamp}}:{{body}}", TimestampHeader = "X-Slack-Request-Timestamp" }</c>.
/// </example>
public sealed record HmacVerification(string Header)
{
    /// <summary>Default SHA-256.</summary>
    public HmacAlgorithm Algorithm { get; init; } = HmacAlgorithm.Sha256;

    /// <summary>Default hexadecimal (either case).</summary>
    public SignatureEncoding Encoding { get; init; } = SignatureEncoding.Hex;

    /// <summary>Text before the signature in the header, such as <c>sha256=</c>; none by default.</summary>
    public string? Prefix { get; init; }

    /// <summary>What is signed: text with <c>{{body}}</c> (the raw body) and <c>{{header.NAME}}</c> (a request header's value); nothing else is allowed. Default the body alone.</summary>
    public string SignedContent { get; init; } = "{{body}}";

    /// <summary>A header with the time of sending in Unix seconds, refused outside the hook's replay window; none by default.</summary>
    public string? TimestampHeader { get; init; }
}

/// <summary>
/// Where a secret comes from: written in the configuration, read from an environment variable, or a
/// named secret (<c>secret: "{{secrets.NAME}}"</c>, see docs/security.md), each looked up when a
/// delivery is checked. Secrets are never returned by the API, logged or journaled.
/// </summary>
public sealed record SecretSource(string? Value, string? EnvironmentVariable, string? SecretName = null)
{
    public static SecretSource Literal(string value) => new(value, null);

    public static SecretSource Environment(string name) => new(null, name);

    public static SecretSource Named(string name) => new(null, null, name);

    /// <summary>A literal value, or a reference to a named secret when it is exactly <c>{{secrets.NAME}}</c>.</summary>
    public static SecretSource FromText(string text) =>
        Executors.PayloadTemplate.SecretNames(text).ToList() is [var name] && text.Trim() == $"{{{{secrets.{name}}}}}"
            ? Named(name)
            : Literal(text);

    /// <summary>
    /// A literal value as stored: encrypted with the engine's secret keys (<c>keyId:ciphertext</c>,
    /// see <see cref="Secrets.WebhookSecretSeal"/>), while <see cref="Value"/> is null.
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal string? Sealed { get; init; }

    /// <summary>The secret from the configuration or the environment; null when the variable is not set, or for a named or stored secret (the client resolves those).</summary>
    public string? Resolve() => Value ?? (EnvironmentVariable is { } name ? System.Environment.GetEnvironmentVariable(name) : null);

    /// <summary>What the API shows instead of the secret.</summary>
    public string Describe() =>
        SecretName is { } secret ? $"the secret {secret}"
        : EnvironmentVariable is { } name ? $"from environment variable {name}"
        : Sealed is not null ? "set in configuration (stored encrypted)"
        : "set in configuration";
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

    /// <summary>How the delivery is signed when <see cref="Verification"/> is <see cref="WebhookVerification.Hmac"/>.</summary>
    public HmacVerification? Hmac { get; init; }

    /// <summary>How far a signed timestamp (Standard Webhooks, Stripe, an HMAC timestamp header) may be from now, and how long a Standard Webhooks id is remembered. Default 5 min.</summary>
    public TimeSpan ReplayWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Bodies larger than this are refused with 413. Default 1 MiB.</summary>
    public long MaxBodyBytes { get; init; } = 1024 * 1024;

    public WebhookRateLimit? RateLimit { get; init; }

    /// <summary>Request headers copied into the run's payload (case-insensitive). Authentication headers are never copied.</summary>
    public IReadOnlyList<string> Headers { get; init; } = [];

    /// <summary>
    /// An event type each accepted delivery publishes (in the hook's namespace, the run payload as data,
    /// in the transaction that enqueues the bound jobs' runs), so subscriptions react to it too. A hook
    /// that publishes accepts deliveries even when no job is bound to it. Null: none.
    /// </summary>
    public string? Publish { get; init; }
}
