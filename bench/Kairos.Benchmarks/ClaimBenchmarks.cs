using BenchmarkDotNet.Attributes;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Kairos.Benchmarks;

/// <summary>
/// The dispatcher's claim: <see cref="SqliteStore.ClaimAsync"/> of 32 runs from a store holding
/// 10,000 queued runs (a fresh SQLite file, shipped settings). Each iteration makes
/// <see cref="ClaimsPerIteration"/> claims; before the next one the claimed runs are put back in the
/// queue, so every claim sees between 10,000 and 8,000 queued runs.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(ClaimsPerIteration)]
public class ClaimBenchmarks
{
    private const int ClaimsPerIteration = 64;
    private const int QueuedRuns = 10_000;
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, int> NoLimits = [];

    private string _directory = null!;
    private SqliteStore _store = null!;
    private SqliteConnection _requeue = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Path.Combine(Path.GetTempPath(), "kairos-claim-bench-" + Guid.NewGuid().ToString("n"));
        var path = Path.Combine(_directory, "kairos.db");
        _store = new SqliteStore(path, "bench");
        await _store.MigrateAsync(CancellationToken.None);
        await _store.SaveJobAsync(new JobDefinition { Name = "work", Executor = new HandlerExecutorSpec("noop") }, [], Now, CancellationToken.None);
        for (var i = 0; i < QueuedRuns; i += 1000)
        {
            var batch = Enumerable.Range(0, 1000).Select(_ => new RunRequest("work", TriggerSources.Manual)).ToList();
            await _store.EnqueueManyAsync(batch, Now, CancellationToken.None);
        }
        _requeue = new SqliteConnection($"Data Source={path}");
        _requeue.Open();
    }

    [IterationSetup]
    public void PutClaimedRunsBack()
    {
        using var command = _requeue.CreateCommand();
        command.CommandText =
            "UPDATE runs SET state = 'queued', attempt = 0, started_at = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE state = 'running'";
        command.ExecuteNonQuery();
    }

    [Benchmark]
    public Task<IReadOnlyList<RunRecord>> Claim32() =>
        _store.ClaimAsync(new ClaimRequest("bench", Now, Now.AddSeconds(30), 32, NoLimits, NoLimits), CancellationToken.None);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _requeue.Dispose();
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
