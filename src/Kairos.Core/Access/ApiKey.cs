namespace Kairos.Access;

/// <summary>An API key as it is listed: never its secret, which exists only in the token shown once at creation.</summary>
/// <param name="Name">What the key is called (unique); keys are revoked by name.</param>
/// <param name="Id">The key's public identifier, the part of the token before its secret.</param>
/// <param name="Scope">What the key may do.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it stops working; null: never.</param>
/// <param name="LastUsedAt">When a request last used it, to within a minute; null: never.</param>
/// <param name="Namespaces">The namespaces it works in; null: every one.</param>
public sealed record ApiKey(string Name, string Id, KairosScope Scope, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt,
    IReadOnlyList<string>? Namespaces = null)
{
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;

    /// <summary>The namespaces as a driver stores them: comma-separated (a namespace has no comma), or null.</summary>
    internal string? StoredNamespaces => Namespaces is null ? null : string.Join(',', Namespaces);

    internal static IReadOnlyList<string>? ReadNamespaces(string? stored) => stored?.Split(',');
}

/// <summary>A key just created, with the token to give to its user: the only time the token is known.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Token);
