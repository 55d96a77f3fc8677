using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Postgres;
using Kairos.Tests.Storage;
using Kairos.Tests.Support;
using Xunit;

namespace Kairos.Tests.Engine.Cluster;

/// <summary>
/// Several engines on one PostgreSQL schema, in this process, on real time: leadership, the
/// NOTIFY wake-ups and the database clock. (Separate <c>kairos serve</c> processes, killed for
/// real, are in EndToEnd.)
/// </summary>
public sealed class ClusterEngineTests : IAsyncLifetime
{
    private static readonly TimeSpan ShortLease = TimeSpan.FromMilliseconds(900);

    private readonly string _schema = "kairos_t_" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<PostgresNode> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        if (PostgresFactAttribute.ConnectionString is not null)
        {
            await PostgresSchema.DropAsync(_schema);
        }
    }

    private async Task<PostgresNode> StartAsync(string id, Action<Kairos.Hosting.KairosOptions>? configure = null, TimeProvider? time = null)
    {
        var node = await PostgresNode.StartAsync(_schema, id, o =>
        {
            o.LeaderLease = ShortLease;
            configure?.Invoke(o);
        }, time: time);
        _nodes.Add(node);
        return node;
    }

    /// <summary>A bare store on the same schema: another node's writes, without an engine that would wake ours in-process.</summary>
    private async Task<PostgresStore> OtherNodeStoreAsync()
    {
        var store = new PostgresStore(PostgresFactAttribute.ConnectionString!, "other-node", _schema);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    [PostgresFact]
    public async Task One_node_leads_and_another_takes_over_at_once_when_it_leaves()
    {
        // A long lease: the others check in every 10 s, so only the resignation's NOTIFY makes the hand-over quick.
        var a = await StartAsync("node-a", o => o.LeaderLease = TimeSpan.FromSeconds(30));
        var b = await StartAsync("node-b", o => o.LeaderLease = TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => a.Engine.IsLeader || b.Engine.IsLeader, "a leader");
        Assert.False(a.Engine.IsLeader && b.Engine.IsLeader);
        var (leader, follower) = a.Engine.IsLeader ? (a, b) : (b, a);
        IReadOnlyList<Kairos.Engine.Cluster.ClusterNode> nodes = [];
        await Eventually.TrueAsync(async () => (nodes = await follower.Engine.ListNodesAsync()).Count == 2, "both nodes to check in");
        Assert.Equal(leader.Engine.Options.NodeId, Assert.Single(nodes, n => n.Leader).Id);
        Assert.All(nodes, n => Assert.True(n.Alive));

        _nodes.Remove(leader);
        await leader.DisposeAsync(); // Leaves on purpose: gives the lease up.
        await Eventually.TrueAsync(() => follower.Engine.IsLeader, "the other node to lead", timeoutMs: 3_000);
        Assert.Equal([(follower.Engine.Options.NodeId, true)], (await follower.Engine.ListNodesAsync()).Select(n => (n.Id, n.Leader)));
    }

    [PostgresFact]
    public async Task Only_the_leader_fires_time_triggers()
    {
        // A lease long enough that leadership cannot pass to the other node on a loaded machine
        // during the test (it did once, at a load average of 13, and the old leader's fires then
        // looked like a follower's).
        var a = await StartAsync("node-a", o => o.LeaderLease = TimeSpan.FromSeconds(30));
        var b = await StartAsync("node-b", o => o.LeaderLease = TimeSpan.FromSeconds(30));
        await a.Engine.SaveJobAsync(new JobDefinition { Name = "tick", Executor = new HandlerExecutorSpec("noop"), Triggers = [new IntervalTriggerSpec(TimeSpan.FromMilliseconds(200))] });
        List<JournalEntry> fired = [];
        await Eventually.TrueAsync(async () =>
        {
            fired = (await a.Engine.Store.ListJournalAsync(new JournalQuery { JobName = "tick" }, CancellationToken.None)).Where(e => e.Kind == "trigger.fired").ToList();
            return fired.Count >= 5;
        }, "five fires");
        var leader = a.Engine.IsLeader ? "node-a" : "node-b";
        Assert.All(fired, e => Assert.Equal(leader, e.Node));
    }

    [PostgresFact]
    public async Task A_run_enqueued_by_another_node_starts_at_once_without_waiting_for_the_idle_recheck()
    {
        var node = await StartAsync("node-a", o => o.IdleRecheck = TimeSpan.FromHours(1));
        await node.Engine.SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("noop") });
        await using var other = await OtherNodeStoreAsync();
        await Task.Delay(500); // Let the node settle into its long idle sleep first.

        var run = await other.EnqueueAsync(new RunRequest("job", TriggerSources.Manual), node.Engine.Clock.GetUtcNow(), CancellationToken.None);
        await Eventually.TrueAsync(async () => (await other.GetRunAsync(run.RunId, CancellationToken.None))!.State == RunState.Succeeded,
            "the run to succeed on node-a, woken by NOTIFY", timeoutMs: 5_000);
        var started = Assert.Single(await other.ListJournalAsync(new JournalQuery { RunId = run.RunId }, CancellationToken.None), e => e.Kind == "run.started");
        Assert.Equal("node-a", started.Node);
    }

    [PostgresFact]
    public async Task A_cancel_asked_on_another_node_stops_the_run_at_once_not_at_the_next_heartbeat()
    {
        var node = await StartAsync("node-a", o => o.LeaseDuration = TimeSpan.FromHours(1)); // Heartbeats every 20 min.
        await node.Engine.SaveJobAsync(new JobDefinition { Name = "long", Executor = new HandlerExecutorSpec("sleep") });
        var run = await node.Engine.EnqueueAsync(new RunRequest("long", TriggerSources.Manual) { Payload = """{"ms":60000}""" });
        await Eventually.TrueAsync(() => node.Engine.ActiveRuns == 1, "the run to start");
        await using var other = await OtherNodeStoreAsync();

        Assert.Equal(CancelResult.CancelRequested, await other.CancelRunAsync(run.RunId, node.Engine.Clock.GetUtcNow(), CancellationToken.None));
        await Eventually.TrueAsync(async () => (await other.GetRunAsync(run.RunId, CancellationToken.None))!.State == RunState.Cancelled,
            "the run to be cancelled", timeoutMs: 5_000);
    }

    [PostgresFact]
    public async Task A_node_whose_clock_is_an_hour_off_fires_on_the_database_time()
    {
        var node = await StartAsync("skewed", time: new OffsetTimeProvider(TimeSpan.FromHours(1)));
        await using var database = await OtherNodeStoreAsync();
        var databaseNow = (await database.GetDatabaseTimeAsync(CancellationToken.None))!.Value;
        Assert.InRange(node.Engine.Clock.GetUtcNow() - databaseNow, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(1));

        await node.Engine.SaveJobAsync(new JobDefinition
        {
            Name = "every-second",
            Executor = new HandlerExecutorSpec("noop"),
            Triggers = [new CronTriggerSpec("* * * * * *")],
        });
        RunRecord? first = null;
        await Eventually.TrueAsync(async () =>
        {
            first = (await database.ListRunsAsync(new RunQuery { JobName = "every-second", State = RunState.Succeeded }, CancellationToken.None)).LastOrDefault();
            return first is not null;
        }, "a tick to run", timeoutMs: 5_000);
        var scheduledAt = DateTimeOffset.Parse(JsonNode.Parse(first!.Payload!)!["scheduledAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        // Fired on the database's time: an hour-off clock would have scheduled it an hour from now.
        Assert.InRange(scheduledAt - databaseNow, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        Assert.Equal(RunState.Succeeded, first.State);
    }

    [PostgresFact]
    public async Task A_directory_both_nodes_watch_fires_once_per_change_not_once_per_node()
    {
        using var directory = new TempDirectory();
        var a = await StartAsync("node-a");
        var b = await StartAsync("node-b");
        await a.Engine.SaveJobAsync(new JobDefinition
        {
            Name = "ingest",
            Executor = new HandlerExecutorSpec("noop"),
            Triggers = [new FileTriggerSpec(directory.Path) { Settle = TimeSpan.FromMilliseconds(200) }],
        });
        var hosts = new[] { a, b }.Select(n => n.Engine.Hosts.OfType<Kairos.Engine.Triggers.Files.FileTriggerHost>().Single()).ToList();
        await Eventually.TrueAsync(() => hosts.All(h => h.LoadedWatches == 1), "both nodes to watch the directory");
        await Eventually.TrueAsync(async () => (await a.Engine.Store.ListJournalAsync(new JournalQuery { JobName = "ingest" }, CancellationToken.None))
            .Any(e => e.Kind == "file.baseline"), "the first sight of the directory to be recorded");

        for (var i = 0; i < 6; i++)
        {
            await File.WriteAllTextAsync(directory.File($"order-{i}.json"), $$"""{"order":{{i}}}""");
        }
        await Eventually.TrueAsync(async () => (await RunsAsync(a, "ingest")).Count >= 6, "a run per file");
        foreach (var host in hosts)
        {
            host.ReconcileNow(); // Both nodes look again: the changes are recorded already, nothing more fires.
        }
        await Task.Delay(1_000);
        var runs = await RunsAsync(a, "ingest");
        Assert.Equal(6, runs.Count);
        Assert.Equal(6, runs.Select(r => JsonNode.Parse(r.Payload!)!["path"]!.GetValue<string>()).Distinct().Count());
    }

    private static Task<IReadOnlyList<RunRecord>> RunsAsync(PostgresNode node, string job) =>
        node.Engine.Store.ListRunsAsync(new RunQuery { JobName = job }, CancellationToken.None);

    [PostgresFact]
    public async Task A_leader_that_lost_the_database_for_a_while_leads_and_fires_again_once_it_is_back()
    {
        var node = await StartAsync("node-a");
        await node.Engine.SaveJobAsync(new JobDefinition { Name = "tick", Executor = new HandlerExecutorSpec("noop"), Triggers = [new IntervalTriggerSpec(TimeSpan.FromMilliseconds(200))] });
        await Eventually.TrueAsync(() => node.Engine.IsLeader, "the node to lead");

        // The outage: the schema is out of reach for longer than the leadership lease.
        await PostgresSchema.ExecuteAsync($"ALTER SCHEMA {_schema} RENAME TO {_schema}_away");
        await Eventually.TrueAsync(() => !node.Engine.IsLeader, "the node to step down when it cannot renew", timeoutMs: 10_000);
        await PostgresSchema.ExecuteAsync($"ALTER SCHEMA {_schema}_away RENAME TO {_schema}");
        var back = node.Engine.Clock.GetUtcNow();

        await Eventually.TrueAsync(() => node.Engine.IsLeader, "the node to lead again", timeoutMs: 10_000);
        await Eventually.TrueAsync(async () => (await RunsAsync(node, "tick")).Any(r => r.State == RunState.Succeeded && r.CreatedAt > back),
            "a tick fired after the outage", timeoutMs: 10_000);
    }
}
