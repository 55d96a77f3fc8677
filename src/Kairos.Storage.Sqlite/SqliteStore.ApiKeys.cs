using Kairos.Access;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>API keys: looked up by id on every authenticated request, listed without their hashes.</summary>
internal sealed partial class SqliteStore
{
    private const string ApiKeyColumns = "id, name, scope, created_at, expires_at, last_used_at, hash, namespaces";

    public Task<StoredApiKey?> GetApiKeyAsync(string id, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {ApiKeyColumns} FROM api_keys WHERE id = @id";
            command.Parameters.AddWithValue("@id", id);
            return SqliteRows.ReadAll(command, r => new StoredApiKey(ApiKeyRow(r), r.GetString(6))).FirstOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<ApiKey>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {ApiKeyColumns} FROM api_keys ORDER BY name";
            return SqliteRows.ReadAll(command, ApiKeyRow);
        }, cancellationToken);

    private static ApiKey ApiKeyRow(SqliteDataReader r) => new(
        r.GetString(1), r.GetString(0), KairosScopes.FromStored(r.GetString(2)), Time(r.GetInt64(3)),
        SqliteRows.NullableTime(r, 4), SqliteRows.NullableTime(r, 5), ApiKey.ReadNamespaces(SqliteRows.NullableString(r, 7)));

    private sealed partial class Transaction
    {
        public ValueTask<bool> InsertApiKeyAsync(StoredApiKey stored)
        {
            var key = stored.Key;
            var inserted = scope.Execute(
                "INSERT INTO api_keys (id, name, scope, hash, created_at, expires_at, namespaces) VALUES (@id, @name, @scope, @hash, @created, @expires, @namespaces) " +
                "ON CONFLICT (name) DO NOTHING",
                ("@id", key.Id), ("@name", key.Name), ("@scope", key.Scope.ToWire()), ("@hash", stored.Hash),
                ("@created", Ms(key.CreatedAt)), ("@expires", Ms(key.ExpiresAt)), ("@namespaces", key.StoredNamespaces));
            return ValueTask.FromResult(inserted > 0);
        }

        public ValueTask<ApiKey?> DeleteApiKeyAsync(string name)
        {
            var key = SqliteRows.ReadAll(scope.Command($"DELETE FROM api_keys WHERE name = @name RETURNING {ApiKeyColumns}", ("@name", name)), ApiKeyRow);
            return ValueTask.FromResult(key.FirstOrDefault());
        }

        public ValueTask TouchApiKeyAsync(string id, DateTimeOffset at)
        {
            scope.Execute("UPDATE api_keys SET last_used_at = @at WHERE id = @id", ("@id", id), ("@at", Ms(at)));
            return ValueTask.CompletedTask;
        }
    }
}
