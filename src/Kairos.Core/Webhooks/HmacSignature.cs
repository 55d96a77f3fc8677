using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kairos.Webhooks;

/// <summary>
/// Checks a generic HMAC signature (<see cref="HmacVerification"/>): the header's value after its
/// prefix, decoded, must equal the HMAC of the signed content, compared in constant time; with a
/// timestamp header, its time must be within the replay window and the same signed content is
/// accepted once within it (<see cref="VerificationResult.ReplayKey"/>). GitHub's scheme is one of these.
/// </summary>
internal static class HmacSignature
{
    /// <summary>GitHub: <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>.</summary>
    public static readonly HmacVerification GitHub = new("X-Hub-Signature-256") { Prefix = "sha256=" };

    public static VerificationResult Verify(HmacVerification scheme, string secret, IReadOnlyDictionary<string, string> headers, byte[] body,
        DateTimeOffset now, TimeSpan window)
    {
        var header = WebhookSignatures.Header(headers, scheme.Header);
        var prefix = scheme.Prefix ?? "";
        if (header is null || !header.StartsWith(prefix, StringComparison.Ordinal))
        {
            return VerificationResult.Reject($"missing or malformed {scheme.Header} header{(prefix.Length > 0 ? $" (expected {prefix}…)" : "")}");
        }
        if (Decode(header[prefix.Length..].Trim(), scheme.Encoding) is not { } given)
        {
            return VerificationResult.Reject($"{scheme.Header} is not {scheme.Encoding.ToString().ToLowerInvariant()}");
        }
        DateTimeOffset? sentAt = null;
        if (scheme.TimestampHeader is { } timestampHeader)
        {
            var text = WebhookSignatures.Header(headers, timestampHeader);
            if (text is null || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return VerificationResult.Reject($"{timestampHeader} is missing or not Unix seconds");
            }
            sentAt = WebhookSignatures.FromUnixSeconds(seconds);
            if ((now - sentAt.Value).Duration() > window)
            {
                return VerificationResult.Reject($"{timestampHeader} is outside the replay window of {window.TotalSeconds:0} s");
            }
        }
        if (SignedContentTemplate.Parse(scheme.SignedContent, out var templateError) is not { } template)
        {
            return VerificationResult.Reject($"the hook's signedContent is invalid: {templateError}") with { Refusal = WebhookRefusalReason.SecretUnavailable };
        }
        if (template.Render(headers, body, out var missing) is not { } content)
        {
            return VerificationResult.Reject($"the signed header {missing} is missing");
        }
        var expected = Hash(scheme.Algorithm, Encoding.UTF8.GetBytes(secret), content);
        return CryptographicOperations.FixedTimeEquals(given, expected)
            ? VerificationResult.Accept(null) with { SentAt = sentAt, ReplayKey = sentAt is null ? null : VerificationResult.ReplayKeyOf(content) }
            : VerificationResult.Reject($"{scheme.Header} does not match the body");
    }

    public static byte[] Hash(HmacAlgorithm algorithm, byte[] key, byte[] content) => algorithm switch
    {
        HmacAlgorithm.Sha1 => HMACSHA1.HashData(key, content),
        HmacAlgorithm.Sha512 => HMACSHA512.HashData(key, content),
        _ => HMACSHA256.HashData(key, content),
    };

    private static byte[]? Decode(string text, SignatureEncoding encoding)
    {
        if (encoding == SignatureEncoding.Base64)
        {
            var bytes = new byte[text.Length];
            return Convert.TryFromBase64String(text, bytes, out var written) ? bytes[..written] : null;
        }
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
