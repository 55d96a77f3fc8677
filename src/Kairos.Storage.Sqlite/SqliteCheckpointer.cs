using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Kairos.Storage.Sqlite;

/// <summary>
/// Checkpoints the WAL in the background, so the writer never waits for one. SQLite's automatic
/// checkpoint runs inside the commit that crosses 1000 WAL pages and syncs the database file there:
/// under load that stalled one commit in forty for about 10 ms. The writer turns it off and reports
/// each commit here; a PASSIVE checkpoint (it never blocks the writer or readers) then runs on a
/// connection of its own, at most every <see cref="MinInterval"/>, and not at all while nothing is written.
/// </summary>
internal sealed class SqliteCheckpointer : IAsyncDisposable
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    private readonly Channel<bool> _commits =
        Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _connectionString;
    private readonly Task _loop;

    public SqliteCheckpointer(string connectionString)
    {
        _connectionString = connectionString;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Called by the writer after each commit; never blocks.</summary>
    public void Committed() => _commits.Writer.TryWrite(true);

    private async Task RunAsync()
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        SqlitePragmas.ApplyToReader(connection);
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        try
        {
            while (await _commits.Reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                _commits.Reader.TryRead(out _);
                try
                {
                    checkpoint.ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // A checkpoint that cannot run now (e.g. the file is locked by another process) runs after the next commit.
                }
                await Task.Delay(MinInterval, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Closing: the last connection to close checkpoints what is left.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
