using Npgsql;

namespace Kairos.Storage.Postgres;

/// <summary>Named secrets, stored as the engine encrypted them.</summary>
internal sealed partial class PostgresStore
{
    private const string SecretColumns = "name, key_id, ciphertext, updated_at";

    public Task<StoredSecret?> GetSecretAsync(string name, CancellationToken cancellationToken) =>
        Read(async scope => (await scope.Query($"SELECT {SecretColumns} FROM secrets WHERE name = @name", SecretRow, ("name", name)).ConfigureAwait(false))
            .FirstOrDefault(), cancellationToken);

    public Task<IReadOnlyList<StoredSecret>> ListSecretsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredSecret>>(async scope => await scope.Query($"SELECT {SecretColumns} FROM secrets ORDER BY name", SecretRow).ConfigureAwait(false),
            cancellationToken);

    private static StoredSecret SecretRow(NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), Time(r.GetInt64(3)));

    private sealed partial class Transaction
    {
        public async ValueTask<bool> UpsertSecretAsync(StoredSecret secret)
        {
            var existed = await scope.Scalar("SELECT 1 FROM secrets WHERE name = @name FOR UPDATE", ("name", secret.Name)).ConfigureAwait(false) is not null;
            await scope.Execute(
                "INSERT INTO secrets (name, key_id, ciphertext, updated_at) VALUES (@name, @key, @value, @at) " +
                "ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
                ("name", secret.Name), ("key", secret.KeyId), ("value", secret.Ciphertext), ("at", Ms(secret.UpdatedAt))).ConfigureAwait(false);
            return existed;
        }

        public async ValueTask<bool> DeleteSecretAsync(string name) =>
            await scope.Execute("DELETE FROM secrets WHERE name = @name", ("name", name)).ConfigureAwait(false) > 0;
    }
}
