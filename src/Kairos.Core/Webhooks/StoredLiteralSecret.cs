namespace Kairos.Webhooks;

/// <summary>
/// A literal secret is stored encrypted and never shown, so a webhook read over the API and sent back (GET, then PUT)
/// cannot carry it. Saved without any secret while it still verifies senders, a hook keeps the literal secret stored
/// for it; a secret given (secret, secretEnv, a named secret) replaces it, and <c>verify: none</c> drops it.
/// </summary>
internal static class StoredLiteralSecret
{
    /// <summary>The secret a definition saves: the one it gives (<c>given</c>), else the literal one of the hook it replaces (<c>stored</c>) when it verifies senders.</summary>
    public static SecretSource? Keep(SecretSource? given, WebhookVerification verification, WebhookDefinition? stored) =>
        given is null && verification != WebhookVerification.None && stored?.Secret is { EnvironmentVariable: null, SecretName: null } literal
            ? literal
            : given;
}
