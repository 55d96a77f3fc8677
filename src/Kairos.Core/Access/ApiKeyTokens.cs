using System.Security.Cryptography;
using System.Text;

namespace Kairos.Access;

/// <summary>
/// The shape of a key's token, <c>kairos_ID_SECRET</c>: the id finds the stored key, the secret
/// proves the caller holds it. Only a SHA-256 hash of the secret is stored; the secret is 256
/// random bits, so a fast hash is enough (no password to guess) and a database leak reveals no key.
/// </summary>
internal static class ApiKeyTokens
{
    private const string Prefix = "kairos_";
    private const int IdBytes = 6;
    private const int SecretBytes = 32;

    public static (string Id, string Token, string Hash) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));
        return (id, $"{Prefix}{id}_{secret}", Hash(secret));
    }

    /// <summary>Splits a presented token; false for anything not shaped like one (no store lookup for garbage).</summary>
    public static bool TryParse(string token, out string id, out string secret)
    {
        id = secret = "";
        if (token.Length > 200 || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = token[Prefix.Length..];
        var separator = rest.IndexOf('_');
        if (separator != IdBytes * 2 || rest.Length == separator + 1)
        {
            return false;
        }
        id = rest[..separator];
        secret = rest[(separator + 1)..];
        return id.All(Uri.IsHexDigit);
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares in constant time, so the time taken tells nothing about how much of a guess was right.</summary>
    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
