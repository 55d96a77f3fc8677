using Kairos.Model;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// The default store: one SQLite file in WAL mode. Writes go through one <see cref="SqliteWriter"/>
/// (group commit); reads use pooled connections of their own and run in parallel with it.
/// Times are stored as Unix milliseconds (UTC).
/// </summary>
internal sealed partial class SqliteStore : IKairosStore
{
    private readonly string _path;
    private readonly string _connectionString;
    private readonly string _node;
    private SqliteWriter? _writer;

    /// <param name="path">The database file; created with its directory on first start.</param>
    /// <param name="node">This process's node id, recorded in the journal.</param>
    public SqliteStore(string path, string node)
    {
        _path = Path.GetFullPath(path);
        _node = node;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Pooling = true,
            Cache = SqliteCacheMode.Private,
        }.ToString();
    }

    public string DatabasePath => _path;

    public Task MigrateAsync(CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        try
        {
            using (var connection = new SqliteConnection(_connectionString))
            {
                connection.Open();
                SqlitePragmas.ApplyToWriter(connection);
                SqliteMigrations.Apply(connection, _path);
            }
            _writer ??= new SqliteWriter(_connectionString);
        }
        catch (SqliteException ex)
        {
            throw new KairosStoreException($"cannot open the SQLite database '{_path}': {ex.Message}", ex);
        }
        return Task.CompletedTask;
    }

    private Task<T> Write<T>(Func<SqliteWriteScope, T> work, bool urgent = false) =>
        (_writer ?? throw new InvalidOperationException("call MigrateAsync before using the store")).WriteAsync(work, urgent);

    private async Task<T> Read<T>(Func<SqliteConnection, T> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        SqlitePragmas.ApplyToReader(connection);
        return work(connection);
    }

    private void Journal(SqliteWriteScope scope, DateTimeOffset at, string kind, string? job, long? runId, long? triggerId, string? data) =>
        scope.Execute(
            "INSERT INTO journal (at, kind, job_name, run_id, trigger_id, node, data) VALUES (@at, @kind, @job, @run, @trigger, @node, @data)",
            ("@at", Ms(at)), ("@kind", kind), ("@job", job), ("@run", runId), ("@trigger", triggerId), ("@node", _node), ("@data", data));

    internal static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    internal static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();

    internal static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }
        SqliteConnection.ClearAllPools();
    }
}
