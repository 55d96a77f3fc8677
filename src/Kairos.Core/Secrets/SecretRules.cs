using System.Text.Json;
using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Secrets;

/// <summary>Setting, deleting and re-encrypting stored secrets. The journal records names, never values.</summary>
internal static class SecretRules
{
    /// <summary>64 KiB: room for a private key or a certificate chain, not a file store.</summary>
    private const int MaxValueLength = 64 * 1024;

    public static async Task SetAsync(IKairosStore store, SecretCipher cipher, DateTimeOffset now, string name, string value, CancellationToken ct)
    {
        if (JobRules.Name(name) is { } nameError)
        {
            throw new KairosValidationException(nameError.Replace("job name", "secret name", StringComparison.Ordinal));
        }
        if (value.Length < SecretMask.MinLength || value.Length > MaxValueLength)
        {
            throw new KairosValidationException(ValueLengthError(value.Length));
        }
        var (keyId, ciphertext) = cipher.Encrypt(name, value);
        await store.WriteAsync(async tx =>
        {
            var existed = await tx.UpsertSecretAsync(new StoredSecret(name, keyId, ciphertext, now)).ConfigureAwait(false);
            await tx.AppendJournalAsync(now, existed ? "secret.updated" : "secret.created", null, null, null, Describe(name)).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
    }

    public static Task<bool> DeleteAsync(IKairosStore store, DateTimeOffset now, string name, CancellationToken ct) =>
        store.WriteAsync(async tx =>
        {
            if (!await tx.DeleteSecretAsync(name).ConfigureAwait(false))
            {
                return false;
            }
            await tx.AppendJournalAsync(now, "secret.deleted", null, null, null, Describe(name)).ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>Re-encrypts every secret, and every webhook's literal secret, not under the current key with it; returns how many.</summary>
    public static async Task<int> RotateAsync(IKairosStore store, SecretResolver secrets, DateTimeOffset now, CancellationToken ct)
    {
        var cipher = secrets.Cipher;
        var current = cipher.CurrentKeyId;
        var rotated = 0;
        foreach (var stored in await store.ListSecretsAsync(ct).ConfigureAwait(false))
        {
            if (stored.KeyId == current)
            {
                continue;
            }
            var (keyId, ciphertext) = cipher.Encrypt(stored.Name, cipher.Decrypt(stored.Name, stored.KeyId, stored.Ciphertext));
            await store.WriteAsync(tx => tx.UpsertSecretAsync(stored with { KeyId = keyId, Ciphertext = ciphertext, UpdatedAt = now }), ct).ConfigureAwait(false);
            rotated++;
        }
        var webhooks = await secrets.WebhookSecrets.SealStoredAsync(store, now, rotate: true, ct).ConfigureAwait(false);
        await store.WriteAsync(async tx =>
        {
            await tx.AppendJournalAsync(now, "secret.rotated", null, null, null, JsonSerializer.Serialize(new { key = current, secrets = rotated, webhooks }, KairosJson.Options)).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
        return rotated + webhooks;
    }

    /// <summary>Why a value of this length cannot be a secret.</summary>
    public static string ValueLengthError(int length) => length < SecretMask.MinLength
        ? $"a secret's value must be at least {SecretMask.MinLength} characters, not {length}: a shorter one could not be masked in run output without mangling ordinary text"
        : $"a secret's value must be at most {MaxValueLength} characters, not {length}";

    private static string Describe(string name) => JsonSerializer.Serialize(new { secret = name }, KairosJson.Options);
}
