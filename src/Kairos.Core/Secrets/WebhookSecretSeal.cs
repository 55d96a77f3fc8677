using System.Text.Json;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Webhooks;

namespace Kairos.Secrets;

/// <summary>
/// A webhook's literal secret (<c>secret: VALUE</c>, in YAML or over the API) is stored encrypted
/// with the engine's secret keys (<see cref="SecretCipher"/>, the key of named secrets), in its
/// definition as <c>keyId:ciphertext</c>, and decrypted only to check a delivery. The hook's name
/// is authenticated with it, so a sealed secret copied into another hook does not open.
/// <para>
/// Saving the same literal again keeps the stored ciphertext (a restart that re-reads the YAML file
/// changes nothing). Definitions from before this held the literal as written: they are still read,
/// and sealed at start when a key is configured (<see cref="SealStoredAsync"/>).
/// </para>
/// </summary>
internal sealed class WebhookSecretSeal(SecretCipher cipher)
{
    /// <summary>
    /// The hook with a literal secret replaced by its sealed form; a hook without one is returned as
    /// it is. The sealed secret of <paramref name="previousDefinition"/> (the stored one being
    /// replaced) is kept when it holds the same value under the current key.
    /// </summary>
    public WebhookDefinition Seal(WebhookDefinition hook, string? previousDefinition)
    {
        if (hook.Secret is not { Value: { } value } secret)
        {
            return hook;
        }
        if (!cipher.HasKey)
        {
            throw new KairosValidationException(NoKeyMessage(hook.Name));
        }
        var previous = previousDefinition is null ? null : JsonSerializer.Deserialize<WebhookDefinition>(previousDefinition, KairosJson.Options);
        if (previous?.Secret?.Sealed is { } kept && cipher.CurrentKeyId == KeyId(kept) && TryOpen(hook.Name, kept) == value)
        {
            return hook with { Secret = secret with { Value = null, Sealed = kept } };
        }
        var (keyId, ciphertext) = cipher.Encrypt(AssociatedName(hook.Name), value);
        return hook with { Secret = secret with { Value = null, Sealed = keyId + ":" + ciphertext } };
    }

    /// <summary>The secret's value; <see cref="KairosException"/> when its key is not configured or it was altered.</summary>
    public string Open(string hookName, string sealedSecret)
    {
        var colon = sealedSecret.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? throw new KairosConflictException($"webhook '{hookName}': its stored secret is not in the form keyId:ciphertext")
            : cipher.Decrypt(AssociatedName(hookName), sealedSecret[..colon], sealedSecret[(colon + 1)..]);
    }

    /// <summary>Whether the sealed secret needs the current key (for rotation).</summary>
    public bool IsUnderCurrentKey(string sealedSecret) => cipher.HasKey && KeyId(sealedSecret) == cipher.CurrentKeyId;

    /// <summary>
    /// Seals the literal secrets stored before they were sealed, and re-seals those of another key
    /// when <paramref name="rotate"/>; returns how many hooks changed. Without a key, nothing changes
    /// (such literals are still read as written).
    /// </summary>
    public async Task<int> SealStoredAsync(IKairosStore store, DateTimeOffset now, bool rotate, CancellationToken cancellationToken)
    {
        if (!cipher.HasKey)
        {
            return 0;
        }
        var changed = 0;
        foreach (var hook in await store.ListWebhooksAsync(cancellationToken).ConfigureAwait(false))
        {
            var value = hook.Secret switch
            {
                { Value: { } literal } => literal,
                { Sealed: { } sealedSecret } when rotate && !IsUnderCurrentKey(sealedSecret) => Open(hook.Name, sealedSecret),
                _ => null,
            };
            if (value is null)
            {
                continue;
            }
            var sealedHook = Seal(hook with { Secret = hook.Secret! with { Value = value, Sealed = null } }, null);
            await store.WriteAsync(tx => Engine.Definitions.WebhookDefinitions.SaveAsync(tx, sealedHook, now, null), cancellationToken).ConfigureAwait(false);
            changed++;
        }
        return changed;
    }

    public static string NoKeyMessage(string hookName) =>
        $"webhook '{hookName}': a secret written as a value is stored encrypted, and no secret key is configured; "
        + "use secretEnv: VARIABLE, or secret: \"{{secrets.NAME}}\" (a named secret), or configure a secret key (KAIROS_SECRET_KEY or KairosOptions.SecretKeys)";

    private string? TryOpen(string hookName, string sealedSecret)
    {
        try
        {
            return Open(hookName, sealedSecret);
        }
        catch (KairosException)
        {
            return null;
        }
    }

    private static string KeyId(string sealedSecret) => sealedSecret[..Math.Max(0, sealedSecret.IndexOf(':', StringComparison.Ordinal))];

    // Not a possible secret name (those have no colon), so a webhook's secret never opens as a named secret's or the reverse.
    private static string AssociatedName(string hookName) => "webhook:" + hookName;
}
