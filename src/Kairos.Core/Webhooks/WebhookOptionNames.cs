namespace Kairos.Webhooks;

/// <summary>How the YAML file and the API spell a webhook's options: one table each, read by both.</summary>
internal static class WebhookOptionNames
{
    public static readonly (string Name, WebhookVerification Value)[] Verifications =
    [
        ("none", WebhookVerification.None), ("github", WebhookVerification.GitHub), ("standard", WebhookVerification.StandardWebhooks),
        ("bearer", WebhookVerification.Bearer), ("stripe", WebhookVerification.Stripe), ("hmac", WebhookVerification.Hmac),
    ];

    public static readonly (string Name, HmacAlgorithm Value)[] Algorithms =
        [("sha1", HmacAlgorithm.Sha1), ("sha256", HmacAlgorithm.Sha256), ("sha512", HmacAlgorithm.Sha512)];

    public static readonly (string Name, SignatureEncoding Value)[] Encodings =
        [("hex", SignatureEncoding.Hex), ("base64", SignatureEncoding.Base64)];

    /// <summary>The value named <paramref name="name"/> (any case), or null.</summary>
    public static T? Find<T>((string Name, T Value)[] names, string name) where T : struct =>
        names.Where(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase)).Select(n => (T?)n.Value).FirstOrDefault();

    public static string Name<T>((string Name, T Value)[] names, T value) where T : struct =>
        names.First(n => EqualityComparer<T>.Default.Equals(n.Value, value)).Name;

    public static string List<T>((string Name, T Value)[] names) => string.Join(", ", names.Select(n => n.Name));
}
