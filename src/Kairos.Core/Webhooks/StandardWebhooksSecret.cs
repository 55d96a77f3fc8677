namespace Kairos.Webhooks;

/// <summary>
/// A Standard Webhooks signing secret: the key in base64, usually after a <c>whsec_</c> prefix. As
/// the reference libraries do, the prefix is optional and what follows is always base64-decoded;
/// text that is not base64 is a configuration error, never used as the key's bytes.
/// </summary>
internal static class StandardWebhooksSecret
{
    private const string Prefix = "whsec_";

    public const string Expected = "a Standard Webhooks secret: base64 of the key, optionally after the prefix whsec_";

    public static bool TryDecode(string secret, out byte[] key)
    {
        var text = secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret;
        key = new byte[text.Length];
        if (text.Length > 0 && Convert.TryFromBase64String(text, key, out var written))
        {
            key = key[..written];
            return true;
        }
        key = [];
        return false;
    }
}
