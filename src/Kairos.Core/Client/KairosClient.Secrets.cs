using Kairos.Access;
using Kairos.Secrets;

namespace Kairos.Client;

/// <summary>Named secrets: admin only, values in and never out.</summary>
internal sealed partial class KairosClient
{
    public Task SetSecretAsync(string name, string value, CancellationToken cancellationToken = default)
    {
        Authorization.RequireAdmin(Caller, "set secrets");
        return SecretRules.SetAsync(Store, engine.Secrets.Cipher, Clock.GetUtcNow(), name, value, cancellationToken);
    }

    public async Task<IReadOnlyList<SecretInfo>> ListSecretsAsync(CancellationToken cancellationToken = default)
    {
        Authorization.RequireAdmin(Caller, "list secrets");
        var stored = await Store.ListSecretsAsync(cancellationToken).ConfigureAwait(false);
        return stored.Select(s => new SecretInfo(s.Name, "stored", s.UpdatedAt))
            .Concat(engine.Options.DeclaredSecrets.Select(d => new SecretInfo(d.Key, d.Value, null)))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
    }

    public Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken = default)
    {
        Authorization.RequireAdmin(Caller, "delete secrets");
        return SecretRules.DeleteAsync(Store, Clock.GetUtcNow(), name, cancellationToken);
    }

    public async Task<string?> ResolveWebhookSecretAsync(Webhooks.WebhookDefinition hook, CancellationToken cancellationToken = default)
    {
        Authorization.RequireAdmin(Caller, "read a webhook's secret");
        try
        {
            return hook.Secret switch
            {
                { Sealed: { } sealedSecret } => engine.Secrets.WebhookSecrets.Open(hook.Name, sealedSecret),
                { SecretName: { } name } => (await engine.Secrets.ResolveAsync([name], cancellationToken).ConfigureAwait(false))[name],
                _ => hook.Secret?.Resolve(),
            };
        }
        catch (KairosException)
        {
            return null; // Not defined (yet), or unreadable: the delivery is refused as "secret unavailable", like an unset variable.
        }
    }

    public Task<int> RotateSecretsAsync(CancellationToken cancellationToken = default)
    {
        Authorization.RequireAdmin(Caller, "rotate secrets");
        return SecretRules.RotateAsync(Store, engine.Secrets, Clock.GetUtcNow(), cancellationToken);
    }
}
