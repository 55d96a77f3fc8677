namespace Kairos.Webhooks;

/// <summary>Why <c>/hooks/{name}</c> refused a delivery before accepting it; counted, never stored one by one.</summary>
public enum WebhookRefusalReason
{
    /// <summary>No webhook of that name (404).</summary>
    UnknownHook,

    /// <summary>The source address sent more than the hook's rate limit, before any check of the signature (429).</summary>
    AddressRateLimited,

    /// <summary>The body is larger than the hook's <c>maxBodyBytes</c> (413).</summary>
    BodyTooLarge,

    /// <summary>The hook's secret is not available (its environment variable is unset or unusable), so nothing can be verified (401).</summary>
    SecretUnavailable,

    /// <summary>The signature, token or timestamp does not verify (401).</summary>
    Signature,

    /// <summary>Verified, but the hook's own rate limit is used up (429).</summary>
    RateLimited,

    /// <summary>Verified, but the body declared as JSON does not parse (400).</summary>
    InvalidBody,

    /// <summary>Verified, but its delivery id was already received within the replay window (409).</summary>
    Replayed,
}
