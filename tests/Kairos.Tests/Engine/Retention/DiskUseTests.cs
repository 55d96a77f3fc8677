using Kairos.Events;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Sqlite;
using Kairos.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Kairos.Tests.Engine.Retention;

/// <summary>
/// Steady load with the pruner on a real SQLite file: events published, their runs claimed and
/// finished with a log line, ten minutes of clock at a time, and a pruning pass after each step.
/// Whatever the total, the rows kept are about one retention period's worth and the file stops
/// growing once freed pages are being reused.
/// </summary>
public sealed class DiskUseTests
{
    private const int PerStep = 100;
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Age = TimeSpan.FromHours(1);
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Rows_and_file_size_stay_flat_while_thousands_of_runs_go_through()
    {
        await using var t = await TestEngine.CreateAsync(configure: o =>
        {
            o.Retention.Succeeded = Age;
            o.Retention.Events = Age;
            o.Retention.Journal = Age;
            o.Retention.BatchSize = 64; // Below a step's work, so each pass deletes in several batches.
        });
        await t.Engine.SaveJobAsync(TestEngine.Job("ship"));
        await t.Engine.SaveSubscriptionAsync(new Subscription("orders", "order.*", "ship"));
        var path = ((SqliteStore)t.Store).DatabasePath;
        var keptSteps = (int)(Age / Step) + 1;
        long pagesWhenFull = 0;

        const int Steps = 60; // 6,000 runs over ten hours of clock; an hour's worth is kept.
        for (var step = 1; step <= Steps; step++)
        {
            await RunOneStepAsync(t);
            t.Clock.Advance(Step);
            await t.Engine.Pruner.PruneOnceAsync(t.Clock.GetUtcNow(), None);

            // At most a retention period's worth, and, once a period has passed, not much less: the
            // pruner keeps what is younger than its age rather than deleting everything.
            var keptAtLeast = step >= keptSteps ? (keptSteps - 2) * PerStep : 0;
            Assert.InRange(await PrunerTests.CountAsync(path, "runs"), keptAtLeast, keptSteps * PerStep);
            Assert.InRange(await PrunerTests.CountAsync(path, "events"), 0, keptSteps * PerStep);
            Assert.InRange(await PrunerTests.CountAsync(path, "run_logs"), 0, keptSteps * PerStep);
            Assert.InRange(await PrunerTests.CountAsync(path, "journal"), 0, keptSteps * PerStep * 5); // Enqueued, started, succeeded; a few more.
            if (step == 2 * keptSteps)
            {
                pagesWhenFull = await PagesAsync(path); // By now a whole retention period has been deleted and its pages freed.
            }
        }

        Assert.Equal(Steps * PerStep, (int)(await t.Store.ListRunsAsync(new RunQuery { Limit = 1 }, None))[0].Id);
        var pagesAtEnd = await PagesAsync(path);
        Assert.True(pagesAtEnd <= pagesWhenFull * 11 / 10, $"the database grew from {pagesWhenFull} to {pagesAtEnd} pages under steady load");
    }

    /// <summary>One step of load: every published event enqueues a run, which is claimed and succeeds with a log line.</summary>
    private static async Task RunOneStepAsync(TestEngine t)
    {
        var now = t.Clock.GetUtcNow();
        await Task.WhenAll(Enumerable.Range(0, PerStep).Select(i =>
            t.Engine.PublishAsync(new EventRequest("order.created", "shop") { Data = $$"""{"order":{{i}}}""" })));
        var claimed = await t.Store.ClaimAsync(new ClaimRequest("test-node", now, now + TimeSpan.FromMinutes(1), PerStep,
            new Dictionary<string, int>(), new Dictionary<string, int>()), None);
        Assert.Equal(PerStep, claimed.Count);
        await Task.WhenAll(claimed.Select(run => t.Store.CompleteAsync(new RunCompletion(run.Id, "test-node", RunOutcome.Succeeded, now)
        {
            Output = """{"shipped":true}""",
            Log = [new RunLogLine(now, "stdout", new string('x', 200))],
        }, None)));
    }

    /// <summary>The database's size in pages as a reader sees it (the file plus what the WAL adds), whenever checkpoints ran.</summary>
    private static async Task<long> PagesAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_count";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
