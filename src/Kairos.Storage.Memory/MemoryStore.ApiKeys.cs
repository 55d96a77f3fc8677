using Kairos.Access;

namespace Kairos.Storage.Memory;

/// <summary>API keys, by name; looked up by id by walking them (a server has a handful).</summary>
internal sealed partial class MemoryStore
{
    public Task<StoredApiKey?> GetApiKeyAsync(string id, CancellationToken cancellationToken) =>
        Read(state => state.ApiKeys.Values.FirstOrDefault(k => k.Key.Id == id), cancellationToken);

    public Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<ApiKey>>(state => state.ApiKeys.Values.Select(k => k.Key).ToList(), cancellationToken);

    private sealed partial class Transaction
    {
        public ValueTask<bool> InsertApiKeyAsync(StoredApiKey stored)
        {
            if (State.ApiKeys.ContainsKey(stored.Key.Name))
            {
                return ValueTask.FromResult(false);
            }
            var key = stored.Key with { CreatedAt = Stored(stored.Key.CreatedAt), ExpiresAt = Stored(stored.Key.ExpiresAt) };
            State = State with { ApiKeys = State.ApiKeys.Add(key.Name, stored with { Key = key }) };
            return ValueTask.FromResult(true);
        }

        public ValueTask<ApiKey?> DeleteApiKeyAsync(string name)
        {
            if (!State.ApiKeys.TryGetValue(name, out var stored))
            {
                return ValueTask.FromResult<ApiKey?>(null);
            }
            State = State with { ApiKeys = State.ApiKeys.Remove(name) };
            return ValueTask.FromResult<ApiKey?>(stored.Key);
        }

        public ValueTask TouchApiKeyAsync(string id, DateTimeOffset at)
        {
            if (State.ApiKeys.Values.FirstOrDefault(k => k.Key.Id == id) is { } stored)
            {
                State = State with { ApiKeys = State.ApiKeys.SetItem(stored.Key.Name, stored with { Key = stored.Key with { LastUsedAt = Stored(at) } }) };
            }
            return ValueTask.CompletedTask;
        }
    }
}
