namespace Kairos.Storage.Sqlite;

/// <summary>Named secrets, stored as the engine encrypted them.</summary>
internal sealed partial class SqliteStore
{
    private const string SecretColumns = "name, key_id, ciphertext, updated_at";

    public Task<StoredSecret?> GetSecretAsync(string name, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {SecretColumns} FROM secrets WHERE name = @name";
            command.Parameters.AddWithValue("@name", name);
            return SqliteRows.ReadAll(command, SecretRow).FirstOrDefault();
        }, cancellationToken);

    public Task<IReadOnlyList<StoredSecret>> ListSecretsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredSecret>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {SecretColumns} FROM secrets ORDER BY name";
            return SqliteRows.ReadAll(command, SecretRow);
        }, cancellationToken);

    private static StoredSecret SecretRow(Microsoft.Data.Sqlite.SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), Time(r.GetInt64(3)));

    private sealed partial class Transaction
    {
        public ValueTask<bool> UpsertSecretAsync(StoredSecret secret)
        {
            var existed = scope.Scalar("SELECT 1 FROM secrets WHERE name = @name", ("@name", secret.Name)) is not null;
            scope.Execute(
                "INSERT INTO secrets (name, key_id, ciphertext, updated_at) VALUES (@name, @key, @value, @at) " +
                "ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
                ("@name", secret.Name), ("@key", secret.KeyId), ("@value", secret.Ciphertext), ("@at", Ms(secret.UpdatedAt)));
            return ValueTask.FromResult(existed);
        }

        public ValueTask<bool> DeleteSecretAsync(string name) =>
            ValueTask.FromResult(scope.Execute("DELETE FROM secrets WHERE name = @name", ("@name", name)) > 0);
    }
}
