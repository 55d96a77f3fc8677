using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kairos.Webhooks;

/// <summary>
/// The result of checking a delivery. <see cref="Reason"/> says what failed for the server's debug
/// log, never for the caller; <see cref="Refusal"/> is what the refusal is counted as.
/// </summary>
internal sealed record VerificationResult(bool Valid, string Reason, string? DeliveryId)
{
    public WebhookRefusalReason Refusal { get; init; } = WebhookRefusalReason.Signature;

    /// <summary>The time the sender signed the delivery, for schemes that sign one.</summary>
    public DateTimeOffset? SentAt { get; init; }

    /// <summary>
    /// For timestamped schemes without a delivery id (Stripe, HMAC with a timestamp header): what
    /// identifies this delivery, remembered for the replay window like a Standard Webhooks id.
    /// </summary>
    public string? ReplayKey { get; init; }

    /// <summary>
    /// The replay key of a delivery whose signature covers <paramref name="signedContent"/>: its
    /// SHA-256, so what is kept is short and says nothing beyond the payload already stored. Only
    /// what the signature covers counts: a header it does not cover could be changed by whoever replays.
    /// </summary>
    public static string ReplayKeyOf(byte[] signedContent) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(signedContent));

    public static VerificationResult Accept(string? deliveryId) => new(true, "verified", deliveryId);

    public static VerificationResult Reject(string reason) => new(false, reason, null);
}

/// <summary>
/// Checks webhook signatures. Every comparison of secret material is constant-time
/// (<see cref="CryptographicOperations.FixedTimeEquals"/>), so response timing reveals nothing about
/// how much of a forged signature was right.
/// </summary>
internal static class WebhookSignatures
{
    /// <summary>Checks a delivery against the hook's scheme with <paramref name="secret"/>, which the caller resolved (a named secret needs the store).</summary>
    public static VerificationResult Verify(WebhookDefinition hook, string? secret, IReadOnlyDictionary<string, string> headers, byte[] body, DateTimeOffset now)
    {
        if (hook.Verification == WebhookVerification.None)
        {
            return VerificationResult.Accept(Header(headers, "X-GitHub-Delivery") ?? Header(headers, "webhook-id"));
        }
        if (string.IsNullOrEmpty(secret))
        {
            return VerificationResult.Reject($"the hook's secret is not available ({hook.Secret?.Describe() ?? "none configured"})") with
            {
                Refusal = WebhookRefusalReason.SecretUnavailable,
            };
        }
        return hook.Verification switch
        {
            WebhookVerification.GitHub => GitHub(secret, headers, body, now, hook.ReplayWindow),
            WebhookVerification.StandardWebhooks => Standard(secret, headers, body, now, hook.ReplayWindow),
            WebhookVerification.Stripe => StripeSignature.Verify(secret, headers, body, now, hook.ReplayWindow),
            WebhookVerification.Hmac when hook.Hmac is { } scheme => HmacSignature.Verify(scheme, secret, headers, body, now, hook.ReplayWindow),
            WebhookVerification.Hmac => VerificationResult.Reject("verify: hmac has no hmac settings") with { Refusal = WebhookRefusalReason.SecretUnavailable },
            _ => Bearer(secret, headers),
        };
    }

    /// <summary>GitHub's scheme is a preset of the generic HMAC one, plus its delivery id header.</summary>
    private static VerificationResult GitHub(string secret, IReadOnlyDictionary<string, string> headers, byte[] body, DateTimeOffset now, TimeSpan window)
    {
        var result = HmacSignature.Verify(HmacSignature.GitHub, secret, headers, body, now, window);
        return result.Valid ? result with { DeliveryId = Header(headers, "X-GitHub-Delivery") } : result;
    }

    private static VerificationResult Standard(string secret, IReadOnlyDictionary<string, string> headers, byte[] body, DateTimeOffset now, TimeSpan window)
    {
        var id = Header(headers, "webhook-id");
        var timestampText = Header(headers, "webhook-timestamp");
        var signatures = Header(headers, "webhook-signature");
        if (id is null || timestampText is null || signatures is null)
        {
            return VerificationResult.Reject("missing webhook-id, webhook-timestamp or webhook-signature header");
        }
        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return VerificationResult.Reject("webhook-timestamp is not Unix seconds");
        }
        var sentAt = FromUnixSeconds(seconds);
        if ((now - sentAt).Duration() > window)
        {
            return VerificationResult.Reject($"webhook-timestamp is outside the replay window of {window.TotalSeconds:0} s");
        }
        if (!StandardWebhooksSecret.TryDecode(secret, out var key))
        {
            return VerificationResult.Reject($"the hook's secret is not {StandardWebhooksSecret.Expected}") with { Refusal = WebhookRefusalReason.SecretUnavailable };
        }
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestampText}.");
        var expected = HMACSHA256.HashData(key, signed.Concat(body).ToArray());
        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!candidate.StartsWith("v1,", StringComparison.Ordinal))
            {
                continue;
            }
            byte[] given;
            try
            {
                given = Convert.FromBase64String(candidate[3..]);
            }
            catch (FormatException)
            {
                continue;
            }
            if (CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return VerificationResult.Accept(id) with { SentAt = sentAt };
            }
        }
        return VerificationResult.Reject("no v1 signature in webhook-signature matches");
    }

    private static VerificationResult Bearer(string token, IReadOnlyDictionary<string, string> headers)
    {
        var header = Header(headers, "Authorization");
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return VerificationResult.Reject("missing Authorization: Bearer header");
        }
        var given = Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim());
        var expected = Encoding.UTF8.GetBytes(token);
        // FixedTimeEquals returns at once on a length mismatch; hashing both first hides the length too.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(given), SHA256.HashData(expected))
            ? VerificationResult.Accept(Header(headers, "X-Request-Id"))
            : VerificationResult.Reject("bearer token does not match");
    }

    /// <summary>A signed Unix time; an absurd one is clamped to the representable range (and then fails the window check).</summary>
    public static DateTimeOffset FromUnixSeconds(long seconds) => DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253_402_300_799));

    /// <summary>A request header by name, in any case.</summary>
    public static string? Header(IReadOnlyDictionary<string, string> headers, string name) =>
        headers.TryGetValue(name, out var value) ? value : headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
