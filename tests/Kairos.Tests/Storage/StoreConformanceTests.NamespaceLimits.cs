using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>A namespace's running limit (engine.namespaces.NS.maxRunning) counted over every owner's running runs.</summary>
public abstract partial class StoreConformanceTests
{
    private static readonly Dictionary<string, int> BillingLimit = new() { ["billing"] = 2 };

    private static ClaimRequest NamespaceClaim(string owner, int max, DateTimeOffset? now = null) =>
        new(owner, now ?? T0, (now ?? T0).AddMinutes(1), max, NoLimits, NoLimits) { NamespaceLimits = BillingLimit };

    [StoreFact]
    public async Task A_namespace_limit_counts_that_namespaces_running_runs_of_every_owner_and_holds_no_other_namespace()
    {
        foreach (var job in new[] { "billing/a", "billing/b", "billing2/a", "report" })
        {
            await SaveAsync(job);
            for (var i = 0; i < 3; i++)
            {
                await EnqueueAsync(job);
            }
        }

        var first = await Store.ClaimAsync(NamespaceClaim("node-a", 20), CancellationToken.None);
        var second = await Store.ClaimAsync(NamespaceClaim("node-b", 20), CancellationToken.None);

        Assert.Equal(2, first.Count(r => r.JobName.StartsWith("billing/", StringComparison.Ordinal)));
        Assert.Equal(6, first.Count(r => r.JobName is "billing2/a" or "report")); // "billing2" is not "billing"; "report" is in default.
        Assert.Empty(second);

        // One billing run ends: one more may start, on any node.
        var done = first.First(r => r.JobName.StartsWith("billing/", StringComparison.Ordinal));
        await Store.CompleteAsync(new RunCompletion(done.Id, "node-a", RunOutcome.Succeeded, T0.AddSeconds(1)), CancellationToken.None);
        var third = await Store.ClaimAsync(NamespaceClaim("node-b", 20, T0.AddSeconds(2)), CancellationToken.None);
        Assert.StartsWith("billing/", Assert.Single(third).JobName, StringComparison.Ordinal);
    }

    [StoreFact]
    public async Task Two_nodes_claiming_at_once_never_run_more_than_a_namespaces_limit()
    {
        await SaveAsync("billing/a");
        await SaveAsync("billing/b");
        await SaveAsync("free");
        for (var i = 0; i < 10; i++)
        {
            await EnqueueAsync("billing/a");
            await EnqueueAsync("billing/b");
            await EnqueueAsync("free");
        }
        await using var other = await CreateStoreAsync("node-b");
        await other.MigrateAsync(CancellationToken.None);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? Store : other).ClaimAsync(NamespaceClaim(i % 2 == 0 ? "node-a" : "node-b", 4), CancellationToken.None)));

        var claimed = claims.SelectMany(c => c).ToList();
        for (var more = await Store.ClaimAsync(NamespaceClaim("node-a", 4), CancellationToken.None); more.Count > 0;
             more = await Store.ClaimAsync(NamespaceClaim("node-a", 4), CancellationToken.None))
        {
            claimed.AddRange(more);
        }
        Assert.Equal(claimed.Count, claimed.Select(r => r.Id).Distinct().Count());
        Assert.Equal(2, claimed.Count(r => r.JobName.StartsWith("billing/", StringComparison.Ordinal)));
        Assert.Equal(10, claimed.Count(r => r.JobName == "free"));
        var running = await Store.ListRunsAsync(new RunQuery { Namespace = "billing", State = RunState.Running }, CancellationToken.None);
        Assert.Equal(2, running.Count);
    }
}
