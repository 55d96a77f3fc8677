using Kairos.Model;

namespace Kairos.Storage.Sqlite;

/// <summary>State of file-watch and poll triggers.</summary>
internal sealed partial class SqliteStore
{
    public Task<IReadOnlyList<FileSnapshot>> GetFileStateAsync(long triggerId, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<FileSnapshot>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT path, size, mtime FROM file_state WHERE trigger_id = @id ORDER BY path";
            command.Parameters.AddWithValue("@id", triggerId);
            return SqliteRows.ReadAll(command, r => new FileSnapshot(r.GetString(0), r.GetInt64(1), Time(r.GetInt64(2))));
        }, cancellationToken);

    public Task<PollState?> GetPollStateAsync(long triggerId, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT last_poll_at, failures, state FROM poll_state WHERE trigger_id = @id";
            command.Parameters.AddWithValue("@id", triggerId);
            return SqliteRows.ReadAll(command, r => new PollState(SqliteRows.NullableTime(r, 0), r.GetInt32(1), SqliteRows.NullableString(r, 2))).FirstOrDefault();
        }, cancellationToken);
}
