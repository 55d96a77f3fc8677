using System.Text.Json;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;

namespace Kairos.Access;

/// <summary>
/// Creating, revoking and checking API keys, for every driver. The journal records who created or
/// revoked which key and its scope, never a token or a hash.
/// </summary>
internal static class ApiKeyRules
{
    /// <summary>How stale a key's last-used time may get: a busy key costs one write a minute, not one per request.</summary>
    /// <summary>The namespaces one key may be bound to: read at every request the key makes.</summary>
    public const int MaxNamespaces = 100;

    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public static async Task<CreatedApiKey> CreateAsync(
        IKairosStore store, DateTimeOffset now, string name, KairosScope scope, DateTimeOffset? expiresAt, IReadOnlyList<string>? namespaces, CancellationToken ct)
    {
        if (namespaces is not null)
        {
            if (namespaces.Count > MaxNamespaces)
            {
                throw new KairosValidationException($"namespaces: a key is bound to at most {MaxNamespaces} namespaces, not {namespaces.Count}");
            }
            if (namespaces.Count == 0)
            {
                throw new KairosValidationException("a key bound to namespaces needs at least one; leave them out for a key of every namespace");
            }
            if (namespaces.Select(Namespaces.Check).FirstOrDefault(e => e is not null) is { } nsError)
            {
                throw new KairosValidationException(nsError);
            }
            namespaces = namespaces.Distinct(StringComparer.Ordinal).ToList();
        }
        if (JobRules.Name(name) is { } nameError)
        {
            throw new KairosValidationException(nameError.Replace("job name", "key name", StringComparison.Ordinal));
        }
        if (!Enum.IsDefined(scope))
        {
            throw new KairosValidationException($"scope must be {KairosScopes.Names}");
        }
        if (expiresAt is { } expires && expires <= now)
        {
            throw new KairosValidationException($"expires ({expires:O}) must be in the future");
        }
        var (id, token, hash) = ApiKeyTokens.Generate();
        var key = new ApiKey(name, id, scope, now, expiresAt, null, namespaces);
        var created = await store.WriteAsync(async tx =>
        {
            if (!await tx.InsertApiKeyAsync(new StoredApiKey(key, hash)).ConfigureAwait(false))
            {
                return false;
            }
            await tx.AppendJournalAsync(now, "key.created", null, null, null, Describe(key)).ConfigureAwait(false);
            return true;
        }, ct).ConfigureAwait(false);
        return created
            ? new CreatedApiKey(key, token)
            : throw new KairosConflictException($"a key named '{name}' already exists; revoke it first or choose another name");
    }

    /// <summary>Deletes the key; the journal keeps that it existed. False when there is no key of that name.</summary>
    public static Task<bool> RevokeAsync(IKairosStore store, DateTimeOffset now, string name, CancellationToken ct) =>
        store.WriteAsync(async tx =>
        {
            if (await tx.DeleteApiKeyAsync(name).ConfigureAwait(false) is not { } key)
            {
                return false;
            }
            await tx.AppendJournalAsync(now, "key.revoked", null, null, null, Describe(key)).ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>The key a token belongs to, or null: malformed, unknown, wrong secret and expired all look the same to the caller.</summary>
    public static async Task<ApiKey?> AuthenticateAsync(IKairosStore store, DateTimeOffset now, string token, CancellationToken ct)
    {
        if (!ApiKeyTokens.TryParse(token, out var id, out var secret)
            || await store.GetApiKeyAsync(id, ct).ConfigureAwait(false) is not { } stored
            || !ApiKeyTokens.Matches(secret, stored.Hash)
            || stored.Key.IsExpired(now))
        {
            return null;
        }
        if (stored.Key.LastUsedAt is not { } used || now - used >= LastUsedResolution)
        {
            await store.WriteAsync(async tx =>
            {
                await tx.TouchApiKeyAsync(id, now).ConfigureAwait(false);
                return true;
            }, ct).ConfigureAwait(false);
        }
        return stored.Key with { LastUsedAt = now };
    }

    private static string Describe(ApiKey key) =>
        JsonSerializer.Serialize(new { key = key.Name, id = key.Id, scope = key.Scope.ToWire(), expiresAt = key.ExpiresAt, namespaces = key.Namespaces }, KairosJson.Options);
}
