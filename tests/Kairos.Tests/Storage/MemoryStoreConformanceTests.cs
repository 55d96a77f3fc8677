using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Drivers;
using Kairos.Storage.Memory;

namespace Kairos.Tests.Storage;

/// <summary>The conformance suite on the in-memory driver: each test on a store of its own.</summary>
public sealed class MemoryStoreConformanceTests : StoreConformanceTests
{
    private protected override Task<IKairosStore> CreateStoreAsync(string node) => Task.FromResult<IKairosStore>(new MemoryStore(node));
}

/// <summary>What only the in-memory driver does: copy-on-write transactions on the caller's thread.</summary>
public sealed class MemoryStoreTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    private static async Task<MemoryStore> StoreWithJobAsync()
    {
        var store = new MemoryStore("n");
        await store.SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok") }, [], T0, CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task A_rule_that_throws_leaves_no_trace_and_hands_out_no_id()
    {
        await using var store = await StoreWithJobAsync();

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync<int>(async tx =>
        {
            await tx.AppendJournalAsync(T0, "test.note", null, null, null, null);
            await tx.InsertRunAsync(NewRun.For(new RunRequest("job", "manual"), (await tx.GetJobSettingsAsync("job"))!, RunState.Queued, T0));
            throw new InvalidOperationException("the rule failed");
        }, CancellationToken.None));

        Assert.Empty(await store.ListRunsAsync(new RunQuery(), CancellationToken.None));
        Assert.Equal(["job.created"], (await store.ListJournalAsync(new JournalQuery(), CancellationToken.None)).Select(e => e.Kind));
        Assert.Equal(1, (await store.EnqueueAsync(new RunRequest("job", "manual"), T0, CancellationToken.None)).RunId);
    }

    [Fact]
    public async Task Reads_during_a_write_see_only_committed_state()
    {
        await using var store = await StoreWithJobAsync();

        var seenInside = await store.WriteAsync(async tx =>
        {
            await tx.AppendJournalAsync(T0, "test.note", null, null, null, null);
            return (await store.ListJournalAsync(new JournalQuery(), CancellationToken.None)).Count;
        }, CancellationToken.None);

        Assert.Equal(1, seenInside);
        Assert.Equal(2, (await store.ListJournalAsync(new JournalQuery(), CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_rule_that_awaits_something_besides_the_driver_is_refused_and_writes_nothing()
    {
        await using var store = await StoreWithJobAsync();

        // A task that stays incomplete until the store has looked (Task.Delay could finish first
        // on a loaded machine, and the rule would then complete synchronously after all).
        var elsewhere = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync(async tx =>
        {
            await tx.AppendJournalAsync(T0, "test.note", null, null, null, null);
            await elsewhere.Task;
            return 1;
        }, CancellationToken.None));
        elsewhere.SetResult();

        Assert.Contains("other than the in-memory driver", error.Message);
        Assert.DoesNotContain(await store.ListJournalAsync(new JournalQuery(), CancellationToken.None), e => e.Kind == "test.note");
    }
}
