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

    // Rows per multi-row journal INSERT: a claim journals a run.started per run, and one statement
    // for many rows costs the single writer less than one statement each.
    private const int JournalChunk = 16;

    private static readonly string[] JournalChunkSql = Enumerable.Range(0, JournalChunk + 1).Select(rows =>
        "INSERT INTO journal (at, kind, job_name, run_id, trigger_id, node, data) VALUES " +
        string.Join(", ", Enumerable.Range(0, rows).Select(i => $"(@at{i}, @kind{i}, @job{i}, @run{i}, @trigger{i}, @node, @data{i})"))).ToArray();

    private static readonly string[][] JournalChunkNames = Enumerable.Range(0, JournalChunk)
        .Select(i => new[] { $"@at{i}", $"@kind{i}", $"@job{i}", $"@run{i}", $"@trigger{i}", $"@data{i}" }).ToArray();

    /// <summary>Journal entries in the order given, up to <see cref="JournalChunk"/> rows a statement.</summary>
    private void JournalMany(SqliteWriteScope scope, IReadOnlyList<Drivers.JournalWrite> entries)
    {
        for (var start = 0; start < entries.Count; start += JournalChunk)
        {
            var rows = Math.Min(JournalChunk, entries.Count - start);
            var parameters = new (string Name, object? Value)[(rows * 6) + 1];
            for (var i = 0; i < rows; i++)
            {
                var e = entries[start + i];
                var names = JournalChunkNames[i];
                parameters[i * 6] = (names[0], Ms(e.At));
                parameters[(i * 6) + 1] = (names[1], e.Kind);
                parameters[(i * 6) + 2] = (names[2], e.JobName);
                parameters[(i * 6) + 3] = (names[3], e.RunId);
                parameters[(i * 6) + 4] = (names[4], e.TriggerId);
                parameters[(i * 6) + 5] = (names[5], e.Data);
            }
            parameters[^1] = ("@node", _node);
            scope.Execute(JournalChunkSql[rows], parameters);
        }
    }

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
