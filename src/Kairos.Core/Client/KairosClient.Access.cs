using Kairos.Access;

namespace Kairos.Client;

/// <summary>The caller this client acts for, and API keys.</summary>
internal sealed partial class KairosClient
{
    public KairosCaller Caller => caller;

    /// <summary>The client for <paramref name="other"/>, in this client's namespace if <paramref name="other"/> may use it, else in its first one.</summary>
    public IKairosClient As(KairosCaller other) =>
        new KairosClient(engine, other, other.MayUse(ns) ? ns
            : other.Namespaces?.FirstOrDefault() ?? throw new ArgumentException("a caller bound to namespaces needs at least one", nameof(other)));

    public Task<CreatedApiKey> CreateApiKeyAsync(string name, KairosScope scope, DateTimeOffset? expiresAt = null, IReadOnlyList<string>? namespaces = null,
        CancellationToken cancellationToken = default)
    {
        Authorization.RequireAdmin(Caller, "create API keys");
        return ApiKeyRules.CreateAsync(Store, Clock.GetUtcNow(), name, scope, expiresAt, namespaces, cancellationToken);
    }

    public Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(CancellationToken cancellationToken = default)
    {
        Authorization.RequireAdmin(Caller, "list API keys");
        return Store.ListApiKeysAsync(cancellationToken);
    }

    public Task<bool> RevokeApiKeyAsync(string name, CancellationToken cancellationToken = default)
    {
        Authorization.RequireAdmin(Caller, "revoke API keys");
        return ApiKeyRules.RevokeAsync(Store, Clock.GetUtcNow(), name, cancellationToken);
    }

    public Task<ApiKey?> AuthenticateAsync(string token, CancellationToken cancellationToken = default) =>
        ApiKeyRules.AuthenticateAsync(Store, Clock.GetUtcNow(), token, cancellationToken);
}
