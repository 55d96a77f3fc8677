using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;
using Xunit;

namespace Kairos.Tests.Storage;

/// <summary>The cluster's part of the store contract: nodes, the leadership lease, file state shared by nodes.</summary>
public abstract partial class StoreConformanceTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    private Kairos.Engine.Cluster.DatabaseLeadership Leadership => new(Store);

    private Task<bool> TryLeadAsync(string node, DateTimeOffset now) => Leadership.TryLeadAsync(node, now, now + Lease, CancellationToken.None);

    [StoreFact]
    public async Task Leadership_is_held_by_one_node_until_its_lease_runs_out()
    {
        Assert.True(await TryLeadAsync("a", T0));
        Assert.False(await TryLeadAsync("b", T0.AddSeconds(1)));
        Assert.True(await TryLeadAsync("a", T0.AddSeconds(5))); // Renewed: now held until T0 + 20 s.
        Assert.False(await TryLeadAsync("b", T0.AddSeconds(19)));
        Assert.True(await TryLeadAsync("b", T0.AddSeconds(20)));
        Assert.False(await TryLeadAsync("a", T0.AddSeconds(21))); // The old leader comes back too late.

        var changes = (await Store.ListJournalAsync(new JournalQuery(), CancellationToken.None)).Where(e => e.Kind == "leader.elected").ToList();
        Assert.Equal(["""{"node":"a"}""", """{"node":"b","previous":"a"}"""], changes.Select(e => e.Data));
    }

    [StoreFact]
    public async Task A_node_that_leaves_gives_up_its_leadership_at_once()
    {
        await Leadership.CheckInAsync(new NodeInfo("a", "host-a", "1.0", T0), T0, CancellationToken.None);
        await Leadership.CheckInAsync(new NodeInfo("b", "host-b", "1.0", T0.AddSeconds(1)), T0.AddSeconds(1), CancellationToken.None);
        Assert.True(await TryLeadAsync("a", T0.AddSeconds(1)));

        var nodes = await Store.ListNodesAsync(T0.AddSeconds(2), CancellationToken.None);
        Assert.Equal([("a", "host-a", true), ("b", "host-b", false)], nodes.Select(n => (n.Id, n.Host, n.Leader)));
        Assert.Equal(T0.AddSeconds(1), nodes[1].LastSeenAt);

        await Leadership.LeaveAsync("a", T0.AddSeconds(3), CancellationToken.None);
        Assert.True(await TryLeadAsync("b", T0.AddSeconds(3)));
        Assert.Equal([("b", true)], (await Store.ListNodesAsync(T0.AddSeconds(3), CancellationToken.None)).Select(n => (n.Id, n.Leader)));
        Assert.Contains("leader.resigned", (await Store.ListJournalAsync(new JournalQuery(), CancellationToken.None)).Select(e => e.Kind));
    }

    [StoreFact]
    public async Task An_expired_leadership_shows_no_leader_and_silent_nodes_are_forgotten_after_a_day()
    {
        await Leadership.CheckInAsync(new NodeInfo("a", "h", "1.0", T0), T0, CancellationToken.None);
        Assert.True(await TryLeadAsync("a", T0));
        Assert.False(Assert.Single(await Store.ListNodesAsync(T0 + Lease, CancellationToken.None)).Leader);

        await Leadership.CheckInAsync(new NodeInfo("b", "h", "1.0", T0.AddDays(1)), T0.AddDays(1).AddSeconds(1), CancellationToken.None);
        Assert.Equal(["b"], (await Store.ListNodesAsync(T0.AddDays(1), CancellationToken.None)).Select(n => n.Id));
    }

    [StoreFact]
    public async Task A_file_change_already_recorded_by_another_node_enqueues_nothing()
    {
        var spec = new IntervalTriggerSpec(TimeSpan.FromMinutes(1));
        await Store.SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok"), Triggers = [spec] },
            [new TriggerRegistration("k", spec, null)], T0, CancellationToken.None);
        var trigger = Assert.Single(await Store.ListTriggersAsync("job", CancellationToken.None)).Id;
        var seen = new FileSnapshot("in/a.csv", 10, T0);

        Assert.NotNull(await Store.RecordFileChangeAsync(trigger, seen.Path, seen, null, new RunRequest("job", "file"), T0, CancellationToken.None));
        Assert.Null(await Store.RecordFileChangeAsync(trigger, seen.Path, seen, null, new RunRequest("job", "file"), T0, CancellationToken.None));
        var changed = seen with { Size = 11 };
        Assert.NotNull(await Store.RecordFileChangeAsync(trigger, seen.Path, changed, null, new RunRequest("job", "file"), T0, CancellationToken.None));
        Assert.NotNull(await Store.RecordFileChangeAsync(trigger, seen.Path, null, null, new RunRequest("job", "file"), T0, CancellationToken.None));
        Assert.Null(await Store.RecordFileChangeAsync(trigger, seen.Path, null, null, new RunRequest("job", "file"), T0, CancellationToken.None));
        Assert.Equal(3, (await Store.ListRunsAsync(new RunQuery { JobName = "job" }, CancellationToken.None)).Count);
    }

    [StoreFact]
    public async Task Two_nodes_claiming_at_once_never_run_more_than_a_jobs_limit_and_share_unlimited_work()
    {
        // Claims that meet a limit take turns (each counts the other's committed claims); claims
        // that meet none run side by side. Either way no run is claimed twice.
        await SaveAsync("single", j => j with { Concurrency = new ConcurrencyPolicy(2, OverlapPolicy.Queue) });
        await SaveAsync("free");
        for (var i = 0; i < 20; i++)
        {
            await EnqueueAsync("single");
            await EnqueueAsync("free");
        }
        await using var other = await CreateStoreAsync("node-b");
        await other.MigrateAsync(CancellationToken.None);

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? Store : other).ClaimAsync(new ClaimRequest(i % 2 == 0 ? "node-a" : "node-b", T0, T0.AddMinutes(1), 5, NoLimits, NoLimits), CancellationToken.None)));

        // A claim passes over rows another one holds, so a few free runs may be left for the next claims.
        var claimed = claims.SelectMany(c => c).ToList();
        for (var more = await ClaimAsync(5); more.Count > 0; more = await ClaimAsync(5))
        {
            claimed.AddRange(more);
        }
        Assert.Equal(claimed.Count, claimed.Select(r => r.Id).Distinct().Count());
        Assert.Equal(2, claimed.Count(r => r.JobName == "single"));
        Assert.Equal(20, claimed.Count(r => r.JobName == "free"));
        Assert.Equal(2, (await Store.ListRunsAsync(new RunQuery { JobName = "single", State = RunState.Running }, CancellationToken.None)).Count);
    }
}
