using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Sqlite;
using Kairos.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Kairos.Tests.Storage;

public sealed class SqliteStoreConformanceTests : StoreConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new();

    private protected override Task<IKairosStore> CreateStoreAsync(string node) =>
        Task.FromResult<IKairosStore>(new SqliteStore(_directory.File("kairos.db"), node));

    public void Dispose() => _directory.Dispose();
}

/// <summary>What only the SQLite store does: the file, migrations, the append-only journal.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task The_database_file_and_its_directory_are_created_on_first_start_in_WAL_mode()
    {
        var path = _directory.File("nested/dir/kairos.db");
        await using (var store = new SqliteStore(path, "n"))
        {
            await store.MigrateAsync(CancellationToken.None);
        }
        Assert.True(File.Exists(path));
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_database_written_by_a_newer_Kairos_is_refused_with_a_clear_error_and_left_untouched()
    {
        var path = _directory.File("kairos.db");
        await using (var store = new SqliteStore(path, "n"))
        {
            await store.MigrateAsync(CancellationToken.None);
        }
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE kairos_schema SET version = 99";
            await command.ExecuteNonQueryAsync();
        }

        await using var newer = new SqliteStore(path, "n");
        var error = await Assert.ThrowsAsync<KairosStoreException>(() => newer.MigrateAsync(CancellationToken.None));
        Assert.Contains("schema version 99", error.Message);
        Assert.Contains("newer Kairos", error.Message);
    }

    [Fact]
    public async Task The_journal_rejects_updates_and_deletes()
    {
        var path = _directory.File("kairos.db");
        await using (var store = new SqliteStore(path, "n"))
        {
            await store.MigrateAsync(CancellationToken.None);
            await store.SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok") }, [], DateTimeOffset.UnixEpoch, CancellationToken.None);
        }
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE journal SET kind = 'forged'";
        Assert.Contains("append-only", (await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync())).Message);
        command.CommandText = "DELETE FROM journal";
        Assert.Contains("append-only", (await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync())).Message);
    }

    [Fact]
    public async Task A_failing_write_in_a_group_commit_does_not_roll_back_the_others()
    {
        await using var store = new SqliteStore(_directory.File("kairos.db"), "n");
        await store.MigrateAsync(CancellationToken.None);
        await store.SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok") }, [], DateTimeOffset.UnixEpoch, CancellationToken.None);

        var writes = Enumerable.Range(0, 50)
            .Select(i => store.EnqueueAsync(new RunRequest(i % 10 == 0 ? "missing" : "job", "manual"), DateTimeOffset.UnixEpoch, CancellationToken.None))
            .ToList();
        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                await w;
                return true;
            }
            catch (KairosNotFoundException)
            {
                return false;
            }
        }));

        Assert.Equal(45, outcomes.Count(ok => ok));
        Assert.Equal(45, (await store.ListRunsAsync(new RunQuery { Limit = 100 }, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_rule_that_awaits_something_besides_the_driver_is_refused_and_writes_nothing()
    {
        await using var store = new SqliteStore(_directory.File("kairos.db"), "n");
        await store.MigrateAsync(CancellationToken.None);

        // A task that stays incomplete until the store has looked (Task.Delay could finish first
        // on a loaded machine, and the rule would then complete synchronously after all).
        var elsewhere = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync(async tx =>
        {
            await tx.AppendJournalAsync(DateTimeOffset.UnixEpoch, "test.note", null, null, null, null);
            await elsewhere.Task;
            return 1;
        }, CancellationToken.None));
        elsewhere.SetResult();

        Assert.Contains("other than the SQLite driver", error.Message);
        Assert.DoesNotContain(await store.ListJournalAsync(new JournalQuery(), CancellationToken.None), e => e.Kind == "test.note");
    }

    [Fact]
    public async Task The_WAL_stays_bounded_while_the_store_keeps_writing()
    {
        // Regression: the background checkpointer was only told about commits on the isolated-retry
        // path, and automatic checkpoints are off, so the -wal file grew without bound (870 MB after
        // 18,000 webhook deliveries) until a clean shutdown.
        var path = _directory.File("kairos.db");
        await using var store = new SqliteStore(path, "n");
        await store.MigrateAsync(CancellationToken.None);
        await store.SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok") }, [], DateTimeOffset.UnixEpoch, CancellationToken.None);
        var payload = new string('x', 2000);
        long largest = 0;
        for (var i = 0; i < 6000; i++)
        {
            await store.EnqueueAsync(new RunRequest("job", "manual") { Payload = $"\"{payload}{i}\"" }, DateTimeOffset.UnixEpoch, CancellationToken.None);
            if (i % 500 == 0)
            {
                largest = Math.Max(largest, new FileInfo(path + "-wal").Length);
            }
        }
        largest = Math.Max(largest, new FileInfo(path + "-wal").Length);

        // Unchecked, 6,000 commits of a 2 KB row and its journal entry write about 200 MB of WAL.
        Assert.True(largest < SqliteWalLimit, $"the WAL reached {largest / 1024 / 1024} MB");
        Assert.Equal(6000, (await store.GetStatsAsync(null, CancellationToken.None)).RunsByState["queued"]);
    }

    // The writer empties the WAL past 64 MB, but skips its turn while a passive checkpoint runs, so
    // on a loaded machine what is written meanwhile comes on top (83 MB seen). Unbounded is ~200 MB.
    private const long SqliteWalLimit = 128 * 1024 * 1024;

    public void Dispose() => _directory.Dispose();
}
