using Kairos.Hosting;
using Kairos.Storage;

namespace Kairos.Secrets;

/// <summary>
/// Finds a secret's value by name: first the secrets the configuration declares
/// (<see cref="KairosOptions.DeclaredSecrets"/>: <c>env:VARIABLE</c> or <c>file:PATH</c>, read when
/// used), then those stored encrypted in the database. Reads the options when first used, after the
/// configuration file has been applied to them.
/// </summary>
internal sealed class SecretResolver(IKairosStore store, KairosOptions options)
{
    private SecretCipher? _cipher;

    public SecretCipher Cipher => _cipher ??= new SecretCipher(options.SecretKeys);

    /// <summary>Seals and opens webhooks' literal secrets with <see cref="Cipher"/>.</summary>
    public WebhookSecretSeal WebhookSecrets => new(Cipher);

    /// <summary>
    /// The values of <paramref name="names"/>. Every failure is a <see cref="KairosException"/> saying
    /// which secret and why: not defined, its variable or file unavailable, or not decryptable.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> ResolveAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var value = await ResolveAsync(name, cancellationToken).ConfigureAwait(false)
                ?? throw new KairosValidationException($"secret '{name}' is not defined (kairos secrets set {name}, or secrets: in the configuration file)");
            // A declared secret (environment, file) is checked when read, as a stored one was when set.
            values[name] = value.Length >= SecretMask.MinLength ? value
                : throw new KairosValidationException($"secret '{name}': " + SecretRules.ValueLengthError(value.Length));
        }
        return values;
    }

    private async Task<string?> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        if (options.DeclaredSecrets.TryGetValue(name, out var source))
        {
            return Declared(name, source);
        }
        return await store.GetSecretAsync(name, cancellationToken).ConfigureAwait(false) is { } stored
            ? Cipher.Decrypt(stored.Name, stored.KeyId, stored.Ciphertext)
            : null;
    }

    private static string Declared(string name, string source)
    {
        if (source.StartsWith("env:", StringComparison.Ordinal))
        {
            return Environment.GetEnvironmentVariable(source[4..])
                ?? throw new KairosValidationException($"secret '{name}' comes from environment variable {source[4..]}, which is not set");
        }
        try
        {
            return File.ReadAllText(source[5..]).TrimEnd('\r', '\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KairosValidationException($"secret '{name}' comes from file {source[5..]}, which cannot be read: {ex.Message}");
        }
    }

    /// <summary>What is wrong with a declared source, or null.</summary>
    public static string? SourceError(string source) =>
        source.StartsWith("env:", StringComparison.Ordinal) && source.Length > 4 ? null
        : source.StartsWith("file:", StringComparison.Ordinal) && source.Length > 5 ? null
        : $"a declared secret must be env:VARIABLE or file:PATH, not '{source}'";
}
