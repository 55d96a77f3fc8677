using System.Text.Json;
using Kairos.Model;

namespace Kairos.Storage.Sqlite;

/// <summary>State of file-watch and poll triggers.</summary>
public sealed partial class SqliteStore
{
    public Task<IReadOnlyList<FileSnapshot>> GetFileStateAsync(long triggerId, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<FileSnapshot>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT path, size, mtime FROM file_state WHERE trigger_id = @id ORDER BY path";
            command.Parameters.AddWithValue("@id", triggerId);
            return SqliteRows.ReadAll(command, r => new FileSnapshot(r.GetString(0), r.GetInt64(1), Time(r.GetInt64(2))));
        }, cancellationToken);

    public Task<EnqueueResult?> RecordFileChangeAsync(long triggerId, string path, FileSnapshot? current, string? previousPath, RunRequest? run, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            var changed = 0;
            if (previousPath is not null)
            {
                changed += scope.Execute("DELETE FROM file_state WHERE trigger_id = @id AND path = @path", ("@id", triggerId), ("@path", previousPath));
            }
            if (current is null)
            {
                changed += scope.Execute("DELETE FROM file_state WHERE trigger_id = @id AND path = @path", ("@id", triggerId), ("@path", path));
            }
            else
            {
                changed += scope.Execute(
                    "INSERT INTO file_state (trigger_id, path, size, mtime) VALUES (@id, @path, @size, @mtime) " +
                    "ON CONFLICT (trigger_id, path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime " +
                    "WHERE file_state.size <> excluded.size OR file_state.mtime <> excluded.mtime",
                    ("@id", triggerId), ("@path", path), ("@size", current.Size), ("@mtime", Ms(current.ModifiedAt)));
            }
            return run is null || changed == 0 ? null : (EnqueueResult?)EnqueueInScope(scope, run, now);
        });

    public Task<PollState?> GetPollStateAsync(long triggerId, CancellationToken cancellationToken) =>
        Read(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT last_poll_at, failures, state FROM poll_state WHERE trigger_id = @id";
            command.Parameters.AddWithValue("@id", triggerId);
            return SqliteRows.ReadAll(command, r => new PollState(SqliteRows.NullableTime(r, 0), r.GetInt32(1), SqliteRows.NullableString(r, 2))).FirstOrDefault();
        }, cancellationToken);

    public Task<EnqueueResult?> RecordPollAsync(long triggerId, PollState state, RunRequest? run, string? failure, DateTimeOffset now, CancellationToken cancellationToken) =>
        Write(scope =>
        {
            scope.Execute(
                "INSERT INTO poll_state (trigger_id, last_poll_at, failures, state) VALUES (@id, @at, @failures, @state) " +
                "ON CONFLICT (trigger_id) DO UPDATE SET last_poll_at = excluded.last_poll_at, failures = excluded.failures, state = excluded.state",
                ("@id", triggerId), ("@at", Ms(state.LastPollAt)), ("@failures", state.Failures), ("@state", state.Data));
            if (failure is not null)
            {
                var job = scope.Scalar("SELECT job_name FROM triggers WHERE id = @id", ("@id", triggerId)) as string;
                Journal(scope, now, "poll.failed", job, null, triggerId,
                    JsonSerializer.Serialize(new { error = failure, consecutiveFailures = state.Failures }, KairosJson.Options));
            }
            return run is null ? null : (EnqueueResult?)EnqueueInScope(scope, run, now);
        });
}
