using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kairos.Webhooks;

/// <summary>
/// Checks Stripe's scheme: <c>Stripe-Signature: t=TIMESTAMP,v1=HEX[,v1=HEX…]</c>, where each
/// <c>v1</c> is the hex HMAC-SHA256 of <c>"{t}.{body}"</c> keyed with the endpoint's signing secret
/// as text (<c>whsec_…</c> included). Any <c>v1</c> may match (Stripe sends several while a secret
/// is rolled), compared in constant time; other schemes (<c>v0</c>) are ignored. The timestamp
/// must be within the hook's replay window (5 minutes by default, Stripe's own tolerance), and
/// the same signed <c>"{t}.{body}"</c> is accepted once within it (<see cref="VerificationResult.ReplayKey"/>).
/// </summary>
internal static class StripeSignature
{
    public static VerificationResult Verify(string secret, IReadOnlyDictionary<string, string> headers, byte[] body, DateTimeOffset now, TimeSpan window)
    {
        if (WebhookSignatures.Header(headers, "Stripe-Signature") is not { } header)
        {
            return VerificationResult.Reject("missing Stripe-Signature header");
        }
        string? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var item in header.Split(','))
        {
            var (key, value) = item.Split('=', 2) is [var k, var v] ? (k.Trim(), v.Trim()) : ("", "");
            if (key == "t")
            {
                timestamp = value;
            }
            else if (key == "v1" && value.Length == 64 && value.All(char.IsAsciiHexDigit))
            {
                signatures.Add(Convert.FromHexString(value));
            }
        }
        if (timestamp is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || signatures.Count == 0)
        {
            return VerificationResult.Reject("Stripe-Signature has no t=<unix seconds> or no v1 signature");
        }
        var sentAt = WebhookSignatures.FromUnixSeconds(seconds);
        if ((now - sentAt).Duration() > window)
        {
            return VerificationResult.Reject($"the Stripe-Signature timestamp is outside the tolerance of {window.TotalSeconds:0} s");
        }
        byte[] signed = [.. Encoding.UTF8.GetBytes(timestamp + "."), .. body];
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        // Every candidate is compared, matched or not, so the time taken says nothing about which one matched.
        var matched = false;
        foreach (var signature in signatures)
        {
            matched |= CryptographicOperations.FixedTimeEquals(signature, expected);
        }
        return matched
            ? VerificationResult.Accept(null) with { SentAt = sentAt, ReplayKey = VerificationResult.ReplayKeyOf(signed) }
            : VerificationResult.Reject("no v1 signature in Stripe-Signature matches");
    }
}
