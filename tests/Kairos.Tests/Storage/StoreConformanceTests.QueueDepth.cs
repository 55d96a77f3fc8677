using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

public abstract partial class StoreConformanceTests
{
    [StoreFact]
    public async Task Queued_runs_are_counted_by_queue_due_or_not_held_or_not_and_running_ones_are_not()
    {
        await SaveAsync("fast");
        await SaveAsync("slow", j => j with { Queue = "slow" });
        await SaveAsync("resting", j => j with { Queue = "slow" });
        await EnqueueAsync("fast");
        await EnqueueAsync("fast");
        await EnqueueAsync("slow", change: r => r with { NotBefore = T0.AddHours(1) });
        await EnqueueAsync("resting");
        await Store.SetJobPausedAsync("resting", true, T0, CancellationToken.None);
        Assert.Single(await ClaimAsync(1)); // One of the fast runs is running now.

        var depths = await Store.CountQueuedRunsByQueueAsync(CancellationToken.None);

        Assert.Equal(new Dictionary<string, long> { ["default"] = 1, ["slow"] = 2 }, depths);
    }
}
