using Kairos.Access;
using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>API keys: looked up by id on every authenticated request, listed without their hashes.</summary>
internal sealed partial class PostgresStore
{
    private const string ApiKeyColumns = "id, name, scope, created_at, expires_at, last_used_at, hash, namespaces";

    public Task<StoredApiKey?> GetApiKeyAsync(string id, CancellationToken cancellationToken) =>
        Read(async scope => (await scope.Query($"SELECT {ApiKeyColumns} FROM api_keys WHERE id = @id",
            r => new StoredApiKey(ApiKeyRow(r), r.GetString(6)), ("id", id)).ConfigureAwait(false)).FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<ApiKey>>(async scope => await scope.Query($"SELECT {ApiKeyColumns} FROM api_keys ORDER BY name", ApiKeyRow).ConfigureAwait(false),
            cancellationToken);

    private static ApiKey ApiKeyRow(NpgsqlDataReader r) => new(
        r.GetString(1), r.GetString(0), KairosScopes.FromStored(r.GetString(2)), Time(r.GetInt64(3)),
        PostgresRows.Time(r, 4), PostgresRows.Time(r, 5), ApiKey.ReadNamespaces(PostgresRows.Text(r, 7)));

    private sealed partial class Transaction
    {
        public async ValueTask<bool> InsertApiKeyAsync(StoredApiKey stored)
        {
            var key = stored.Key;
            return await scope.Execute(
                "INSERT INTO api_keys (id, name, scope, hash, created_at, expires_at, namespaces) VALUES (@id, @name, @scope, @hash, @created, @expires, @namespaces) " +
                "ON CONFLICT (name) DO NOTHING",
                ("id", key.Id), ("name", key.Name), ("scope", key.Scope.ToWire()), ("hash", stored.Hash),
                ("created", Ms(key.CreatedAt)), ("expires", Ms(key.ExpiresAt)), ("namespaces", key.StoredNamespaces)).ConfigureAwait(false) > 0;
        }

        public async ValueTask<ApiKey?> DeleteApiKeyAsync(string name) =>
            (await scope.Query($"DELETE FROM api_keys WHERE name = @name RETURNING {ApiKeyColumns}", ApiKeyRow, ("name", name)).ConfigureAwait(false))
                .FirstOrDefault();

        public async ValueTask TouchApiKeyAsync(string id, DateTimeOffset at) =>
            await scope.Execute("UPDATE api_keys SET last_used_at = @at WHERE id = @id", ("id", id), ("at", Ms(at))).ConfigureAwait(false);
    }
}
