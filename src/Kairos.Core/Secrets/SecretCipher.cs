using System.Security.Cryptography;
using System.Text;

namespace Kairos.Secrets;

/// <summary>
/// Encrypts secret values at rest with AES-256-GCM. The first key of the ring encrypts; every key
/// decrypts what it encrypted (rows carry the id of their key), so a key is rotated by putting a new
/// one first, re-encrypting (<c>kairos secrets rotate</c>), then dropping the old one. The secret's
/// name is authenticated with its value, so a row copied under another name does not decrypt.
/// </summary>
internal sealed class SecretCipher
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly List<(string Id, byte[] Key)> _keys;

    public SecretCipher(IReadOnlyList<string> base64Keys)
    {
        _keys = base64Keys.Select(k => Parse(k) is { } key ? (KeyId(key), key) : throw new ArgumentException(KeyError(k), nameof(base64Keys))).ToList();
    }

    public bool HasKey => _keys.Count > 0;

    public string CurrentKeyId => _keys.Count > 0 ? _keys[0].Id : throw NoKey();

    /// <summary>A fresh random key, base64, for a new key file or <c>KAIROS_SECRET_KEY</c>.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>What is wrong with a configured key, or null.</summary>
    public static string? KeyError(string? base64) =>
        Parse(base64) is null ? "a secret key must be 32 random bytes in base64 (44 characters), e.g. from `openssl rand -base64 32`" : null;

    public (string KeyId, string Ciphertext) Encrypt(string name, string value)
    {
        var (id, key) = _keys.Count > 0 ? _keys[0] : throw NoKey();
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedBytes = new byte[NonceBytes + TagBytes + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes), Encoding.UTF8.GetBytes(name));
        return (id, Convert.ToBase64String(sealedBytes));
    }

    /// <summary>The value of a stored secret; <see cref="KairosConflictException"/> when it cannot be read (its key is not configured, or the row was altered).</summary>
    public string Decrypt(string name, string keyId, string ciphertext)
    {
        var key = _keys.FirstOrDefault(k => k.Id == keyId).Key
            ?? throw new KairosConflictException($"secret '{name}' was encrypted with key {keyId}, which is not among the configured secret keys (KAIROS_SECRET_KEY or the key file)");
        try
        {
            var sealedBytes = Convert.FromBase64String(ciphertext);
            var plain = new byte[sealedBytes.Length - NonceBytes - TagBytes];
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes), plain, Encoding.UTF8.GetBytes(name));
            return Encoding.UTF8.GetString(plain);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or OverflowException)
        {
            throw new KairosConflictException($"secret '{name}' does not decrypt with key {keyId}: its stored value was altered or belongs to another name");
        }
    }

    private static byte[]? Parse(string? base64)
    {
        var bytes = new byte[32];
        return base64 is not null && Convert.TryFromBase64String(base64.Trim(), bytes, out var written) && written == 32 ? bytes : null;
    }

    // A short public name for a key: which one encrypted a row, without revealing it.
    private static string KeyId(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..8];

    private static KairosValidationException NoKey() =>
        new("no secret key is configured: set KAIROS_SECRET_KEY (kairos serve keeps one in a key file beside the database by default)");
}
