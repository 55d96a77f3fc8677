namespace Kairos.Storage.Memory;

/// <summary>Named secrets, as the engine encrypted them.</summary>
internal sealed partial class MemoryStore
{
    public Task<StoredSecret?> GetSecretAsync(string name, CancellationToken cancellationToken) =>
        Read(state => state.Secrets.GetValueOrDefault(name), cancellationToken);

    public Task<IReadOnlyList<StoredSecret>> ListSecretsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<StoredSecret>>(state => state.Secrets.Values.ToList(), cancellationToken);

    private sealed partial class Transaction
    {
        public ValueTask<bool> UpsertSecretAsync(StoredSecret secret)
        {
            var existed = State.Secrets.ContainsKey(secret.Name);
            State = State with { Secrets = State.Secrets.SetItem(secret.Name, secret with { UpdatedAt = Stored(secret.UpdatedAt) }) };
            return ValueTask.FromResult(existed);
        }

        public ValueTask<bool> DeleteSecretAsync(string name)
        {
            var found = State.Secrets.ContainsKey(name);
            State = State with { Secrets = State.Secrets.Remove(name) };
            return ValueTask.FromResult(found);
        }
    }
}
