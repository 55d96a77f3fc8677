namespace Kairos.Access;

/// <summary>An API key as it is listed: never its secret, which exists only in the token shown once at creation.</summary>
/// <param name="Name">What the key is called (unique); keys are revoked by name.</param>
/// <param name="Id">The key's public identifier, the part of the token before its secret.</param>
/// <param name="Scope">What the key may do.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it stops working; null: never.</param>
/// <param name="LastUsedAt">When a request last used it, to within a minute; null: never.</param>
public sealed record ApiKey(string Name, string Id, KairosScope Scope, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt)
{
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;
}

/// <summary>A key just created, with the token to give to its user: the only time the token is known.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Token);
