using Kairos.Access;

namespace Kairos.Client;

/// <summary>The caller this client acts for, and API keys.</summary>
internal sealed partial class KairosClient
{
    public KairosCaller Caller => caller;

    public IKairosClient As(KairosCaller other) => new KairosClient(engine, other);

    public Task<CreatedApiKey> CreateApiKeyAsync(string name, KairosScope scope, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default)
    {
        Authorization.RequireAdmin(Caller, "create API keys");
        return ApiKeyRules.CreateAsync(Store, Clock.GetUtcNow(), name, scope, expiresAt, cancellationToken);
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
