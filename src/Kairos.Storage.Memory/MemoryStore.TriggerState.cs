namespace Kairos.Storage.Memory;

/// <summary>State of file-watch and poll triggers.</summary>
internal sealed partial class MemoryStore
{
    public Task<IReadOnlyList<FileSnapshot>> GetFileStateAsync(long triggerId, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<FileSnapshot>>(state => state.Files.GetValueOrDefault(triggerId)?.Values.ToList() ?? [], cancellationToken);

    public Task<PollState?> GetPollStateAsync(long triggerId, CancellationToken cancellationToken) =>
        Read(state => state.Polls.GetValueOrDefault(triggerId), cancellationToken);
}
