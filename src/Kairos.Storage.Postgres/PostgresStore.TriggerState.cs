using Kairos.Model;

namespace Kairos.Storage.Postgres;

/// <summary>State of file-watch and poll triggers.</summary>
internal sealed partial class PostgresStore
{
    public Task<IReadOnlyList<FileSnapshot>> GetFileStateAsync(long triggerId, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<FileSnapshot>>(async scope => await scope.Query(
            "SELECT path, size, mtime FROM file_state WHERE trigger_id = @id ORDER BY path COLLATE \"C\"",
            r => new FileSnapshot(r.GetString(0), r.GetInt64(1), Time(r.GetInt64(2))), ("id", triggerId)), cancellationToken);

    public Task<PollState?> GetPollStateAsync(long triggerId, CancellationToken cancellationToken) =>
        Read(async scope => (await scope.Query(
            "SELECT last_poll_at, failures, state FROM poll_state WHERE trigger_id = @id",
            r => (PollState?)new PollState(PostgresRows.Time(r, 0), (int)r.GetInt64(1), PostgresRows.Text(r, 2)), ("id", triggerId))).FirstOrDefault(),
            cancellationToken);
}
