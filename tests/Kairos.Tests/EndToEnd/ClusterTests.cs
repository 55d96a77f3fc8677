using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;
using Xunit.Abstractions;

namespace Kairos.Tests.EndToEnd;

/// <summary>
/// The cluster tests are timing-sensitive (one-second ticks, two-second leases) and each runs three
/// servers on a two-core machine: they run alone, after the parallel part of the suite.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster";
}

/// <summary>
/// Several real <c>kairos serve</c> processes on one PostgreSQL database: each cron tick fires once
/// cluster-wide, queued work is shared and each run is started once, a node killed with SIGKILL
/// loses none of the runs it held, and when the leader (the node that fires time triggers) is
/// killed another takes over without losing or doubling a tick.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper log)
{
    private const int Nodes = 3;

    private const string EverySecondJob = """
        jobs:
          tick:
            handler: noop
            triggers:
              - cron: "* * * * * *"
        """;

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [PostgresFact]
    public async Task Three_nodes_fire_an_every_second_cron_job_exactly_once_per_tick_for_30_seconds()
    {
        await using var cluster = await StartAsync("engine: { workers: 4 }\n" + EverySecondJob);

        var from = WholeSecondAfter(DateTimeOffset.UtcNow);
        var to = from.AddSeconds(30);
        Log($"watching ticks [{from:HH:mm:ss}, {to:HH:mm:ss})");
        var runs = await TickRunsAsync(cluster, "tick", from, to);

        await LogStartersAsync(cluster, runs);
        AssertOneSucceededRunPerTick(runs, from, to);
    }

    [PostgresFact]
    public async Task Three_nodes_share_5000_queued_runs_and_start_each_exactly_once()
    {
        const int count = 5000;
        const string config = """
            engine:
              workers: 8
            jobs:
              work:
                handler: noop
            """;
        await using var cluster = await StartAsync(config);

        // There is no batch enqueue in the API: one POST per run, spread over the three nodes' APIs.
        var accepted = await cluster.EnqueueAsync("work", count, i => $$"""{"i":{{i}}}""", parallelism: 12);
        Log($"{count} runs accepted");
        var states = await cluster.WaitUntilIdleAsync(TimeSpan.FromSeconds(120));
        Log($"idle: {KairosCluster.Describe(states)}");

        var runs = await cluster.RunsAsync("work");
        Assert.Equal(accepted.Order(), runs.Select(r => r.Id).Order()); // No run lost, none extra.
        Assert.All(runs, r => Assert.True(r is { State: "succeeded", Attempt: 1 }, $"run {r.Id} is {r.State} after {r.Attempt} attempt(s)"));

        var journals = await cluster.JournalsAsync(accepted);
        Log($"{journals.Count} journals read");
        foreach (var (id, journal) in journals)
        {
            Assert.True(journal.Select(e => e.Kind).SequenceEqual(["run.enqueued", "run.started", "run.succeeded"]),
                $"run {id} was not enqueued, started and finished exactly once: {Trail(cluster, journal)}");
        }
        var startedBy = journals.Values.Select(j => j.Single(e => e.Kind == "run.started").Node)
            .CountBy(node => cluster.Name(node)).OrderBy(kv => kv.Key).ToList();
        Log($"started by: {string.Join(", ", startedBy.Select(kv => $"{kv.Key} {kv.Value}"))}");
        Assert.True(startedBy.Count > 1, $"one node ran everything: {string.Join(", ", startedBy)}");
        Assert.All(startedBy, kv => Assert.StartsWith("node ", kv.Key)); // Only this cluster's nodes ran them.
    }

    [PostgresFact]
    public async Task A_node_killed_with_SIGKILL_while_running_runs_loses_none_and_the_others_finish_them()
    {
        const int count = 60;
        const int workers = 4;
        // 12 workers × 1.5 s runs: five rounds, so every node is busy when the kill comes and work is left after it.
        var config = $$"""
            engine:
              workers: {{workers}}
              leaseDuration: 2s
            jobs:
              nap:
                handler: sleep
                retry: { backoff: fixed, initialDelay: 100ms, maxDelay: 100ms, maxAttempts: 3 }
            """;
        await using var cluster = await StartAsync(config);
        var victim = cluster.Nodes[1];

        var accepted = await cluster.EnqueueAsync("nap", count, i => $$"""{"ms":1500,"i":{{i}}}""", parallelism: 6);
        IReadOnlyList<ApiRun> running = [];
        await Poll.UntilAsync(async () =>
        {
            running = await cluster.RunsAsync("nap", "running");
            return running.Select(r => r.LeaseOwner).Distinct().Count() == Nodes;
        }, () => $"every node to be running runs; running: {string.Join(", ", running.Select(r => $"{r.Id}@{cluster.Name(r.LeaseOwner)}"))}",
            TimeSpan.FromSeconds(30), intervalMs: 50);
        var heldByVictim = running.Where(r => r.LeaseOwner == victim.Id).Select(r => r.Id).ToList();
        victim.Server.KillHard();
        Log($"SIGKILL {victim} holding runs {string.Join(", ", heldByVictim)}");
        Assert.Equal(128 + 9, victim.Server.ExitCode);

        var states = await cluster.WaitUntilIdleAsync(TimeSpan.FromSeconds(60));
        Log($"idle: {KairosCluster.Describe(states)}");
        var runs = await cluster.RunsAsync("nap");
        Assert.Equal(accepted.Order(), runs.Select(r => r.Id).Order());
        Assert.All(runs, r => Assert.True(r.State == "succeeded", $"run {r.Id} ended {r.State}"));

        var journals = await cluster.JournalsAsync(accepted);
        var interrupted = new List<long>();
        foreach (var (id, journal) in journals)
        {
            var trail = Trail(cluster, journal);
            int Count(string kind) => journal.Count(e => e.Kind == kind);
            Assert.True(Count("run.enqueued") == 1 && Count("run.succeeded") == 1 && journal[^1].Kind == "run.succeeded", $"run {id}: {trail}");
            Assert.True(Count("run.started") == 1 + Count("run.rescued"), $"run {id}: every attempt but the last ends in a rescue: {trail}");
            for (var i = 0; i < journal.Count; i++)
            {
                if (journal[i].Kind != "run.rescued")
                {
                    continue;
                }
                // Only the killed node stopped heartbeating: a rescue hands back an attempt it started,
                // another node re-queues it, and another node starts it again.
                Assert.True(journal.Take(i).Last(e => e.Kind == "run.started").Node == victim.Id, $"run {id} was rescued from a live node: {trail}");
                Assert.True(journal[i].Node != victim.Id, $"run {id}: {trail}");
                Assert.True(journal.Skip(i).First(e => e.Kind == "run.started").Node != victim.Id, $"run {id}: {trail}");
                interrupted.Add(id);
            }
            Assert.True(journal[^1].Node != victim.Id || !interrupted.Contains(id), $"run {id}: {trail}");
        }
        Log($"interrupted on {victim} and finished by others: {string.Join(", ", interrupted.Order())}");
        Assert.NotEmpty(interrupted);
        // A node holds at most its workers running, plus as many whose executors returned and whose
        // outcomes were still being stored (it claims the next runs while a group commit is in flight).
        Assert.True(interrupted.Count <= 2 * workers, $"{interrupted.Count} runs were rescued but the victim held at most {2 * workers} at once");
        // What the victim held a moment before the kill either finished there before it or was rescued.
        Assert.All(heldByVictim, id => Assert.True(interrupted.Contains(id) || journals[id][^1].Node == victim.Id, $"run {id}: {Trail(cluster, journals[id])}"));
    }

    [PostgresFact]
    public async Task When_the_leader_is_killed_another_node_leads_within_two_leases_and_every_cron_tick_still_runs_once()
    {
        var leaderLease = TimeSpan.FromSeconds(3);
        await using var cluster = await StartAsync($"engine: {{ workers: 4, leaseDuration: 2s, leaderLease: {leaderLease.TotalSeconds}s }}\n" + EverySecondJob);

        var leader = await WaitForOneLeaderAsync(cluster, TimeSpan.FromSeconds(20));
        var nodes = await NodesAsync(cluster);
        Assert.Equal(cluster.Nodes.Select(n => n.Id).Order(), nodes.Select(n => (string)n["id"]!).Order());
        Assert.All(nodes, n => Assert.True((bool)n["alive"]!, $"{n.ToJsonString()} is not alive"));
        Assert.Equal([leader.Id], nodes.Where(n => (bool)n["leader"]!).Select(n => (string)n["id"]!));
        Log($"leader: {leader}");

        // Let the leader fire a few ticks of the window before it dies.
        var from = WholeSecondAfter(DateTimeOffset.UtcNow);
        await Poll.UntilAsync(async () => (await cluster.RunsAsync("tick")).Any(r => r.ScheduledAt >= from.AddSeconds(2)),
            () => $"the leader to fire the ticks from {from:HH:mm:ss}\n{cluster.Output}", TimeSpan.FromSeconds(20), intervalMs: 200);
        leader.Server.KillHard();
        var failover = Stopwatch.StartNew();
        Log($"SIGKILL the leader, {leader}");

        // Fail-over takes at most a lease plus a check-in (a third of it); two leases leave room for a busy machine.
        var successor = await WaitForOneLeaderAsync(cluster, 2 * leaderLease);
        Log($"{successor} leads after {failover.ElapsedMilliseconds} ms");
        Assert.NotEqual(leader.Id, successor.Id);
        IReadOnlyList<JsonNode> seen = [];
        await Poll.UntilAsync(async () =>
        {
            seen = await NodesAsync(cluster);
            var killed = seen.Single(n => (string)n["id"]! == leader.Id);
            return !(bool)killed["alive"]! && !(bool)killed["leader"]!
                && seen.Where(n => (bool)n["leader"]!).Select(n => (string)n["id"]!).SequenceEqual([successor.Id]);
        }, () => $"GET /api/nodes to show {leader.Id} dead and {successor.Id} leading: {string.Join(", ", seen.Select(n => n.ToJsonString()))}",
            leaderLease + TimeSpan.FromSeconds(3), intervalMs: 100);

        // Ticks due while nobody led are fired late by the new leader, once each.
        var to = WholeSecondAfter(DateTimeOffset.UtcNow.AddSeconds(5));
        Log($"watching ticks [{from:HH:mm:ss}, {to:HH:mm:ss})");
        var runs = await TickRunsAsync(cluster, "tick", from, to);
        await LogStartersAsync(cluster, runs);
        AssertOneSucceededRunPerTick(runs, from, to);
        // The window did cover a gap: ticks are normally fired a little ahead, these only once a leader was back.
        var late = runs.Where(r => r.CreatedAt > r.ScheduledAt!.Value.AddMilliseconds(500)).Select(r => $"{r.ScheduledAt:HH:mm:ss} at {r.CreatedAt:HH:mm:ss.fff}").ToList();
        Log($"fired late: {string.Join(", ", late)}");
        Assert.NotEmpty(late);
    }

    private async Task<KairosCluster> StartAsync(string config)
    {
        var cluster = await KairosCluster.StartAsync(config, Nodes);
        Log($"{Nodes} nodes healthy: {string.Join(", ", cluster.Nodes)}");
        return cluster;
    }

    /// <summary>
    /// Waits until the tick at <paramref name="to"/> (or a later one) has fired and every run for a
    /// tick in [<paramref name="from"/>, <paramref name="to"/>) has finished, and returns those runs.
    /// Ticks fire in order, so no run for a tick of the window can appear after that.
    /// </summary>
    private async Task<IReadOnlyList<ApiRun>> TickRunsAsync(KairosCluster cluster, string job, DateTimeOffset from, DateTimeOffset to)
    {
        IReadOnlyList<ApiRun> window = [];
        await Poll.UntilAsync(async () =>
        {
            var runs = await cluster.RunsAsync(job);
            window = runs.Where(r => r.ScheduledAt >= from && r.ScheduledAt < to).ToList();
            return runs.Any(r => r.ScheduledAt >= to) && window.All(r => r.Finished);
        }, () => $"the tick at {to:HH:mm:ss} to fire and the {window.Count} runs before it to finish\n{cluster.Output}",
            to - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30), intervalMs: 500);
        Log($"{window.Count} runs for ticks in the window");
        return window;
    }

    private static void AssertOneSucceededRunPerTick(IReadOnlyList<ApiRun> runs, DateTimeOffset from, DateTimeOffset to)
    {
        var ticks = Enumerable.Range(0, (int)(to - from).TotalSeconds).Select(s => from.AddSeconds(s)).ToList();
        var byTick = runs.ToLookup(r => r.ScheduledAt!.Value);
        var missing = ticks.Where(t => !byTick.Contains(t)).Select(t => $"{t:HH:mm:ss}").ToList();
        var repeated = byTick.Where(g => g.Count() > 1).Select(g => $"{g.Key:HH:mm:ss.fff} ×{g.Count()}").ToList();
        var offTick = byTick.Where(g => !ticks.Contains(g.Key)).Select(g => $"{g.Key:HH:mm:ss.fff}").ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of {ticks.Count} ticks have no run: {string.Join(", ", missing)}");
        Assert.True(repeated.Count == 0, $"ticks with more than one run: {string.Join(", ", repeated)}");
        Assert.True(offTick.Count == 0, $"runs for times that are not whole seconds: {string.Join(", ", offTick)}");
        Assert.Equal(ticks.Count, runs.Count);
        Assert.All(runs, r => Assert.True(r.State == "succeeded", $"run {r.Id} for tick {r.ScheduledAt:HH:mm:ss} ended {r.State}"));
    }

    /// <summary>Waits until exactly one running node says on <c>/healthz</c> that it leads, and returns it.</summary>
    private static async Task<ClusterNode> WaitForOneLeaderAsync(KairosCluster cluster, TimeSpan timeout)
    {
        var leaders = new List<ClusterNode>();
        await Poll.UntilAsync(async () =>
        {
            leaders.Clear();
            foreach (var node in cluster.Running)
            {
                if ((bool)(await node.Server.GetJsonAsync("healthz"))["leader"]!)
                {
                    leaders.Add(node);
                }
            }
            return leaders.Count == 1;
        }, () => $"exactly one of {string.Join(", ", cluster.Running)} to lead; leading: {string.Join(", ", leaders)}\n{cluster.Output}",
            timeout, intervalMs: 50);
        return leaders[0];
    }

    private static async Task<IReadOnlyList<JsonNode>> NodesAsync(KairosCluster cluster) =>
        (await cluster.GetJsonAsync("api/nodes")).AsArray().Select(n => n!).ToList();

    /// <summary>Which node started each run (for the log: time triggers' runs are shared too).</summary>
    private async Task LogStartersAsync(KairosCluster cluster, IReadOnlyList<ApiRun> runs)
    {
        var journals = await cluster.JournalsAsync(runs.Select(r => r.Id));
        var starters = journals.Values.SelectMany(j => j.Where(e => e.Kind == "run.started")).CountBy(e => cluster.Name(e.Node)).OrderBy(kv => kv.Key);
        Log($"runs started by: {string.Join(", ", starters.Select(kv => $"{kv.Key} {kv.Value}"))}");
    }

    private static DateTimeOffset WholeSecondAfter(DateTimeOffset time) =>
        new DateTimeOffset(time.Ticks - time.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(1);

    private static string Trail(KairosCluster cluster, IReadOnlyList<ApiJournalEntry> journal) =>
        string.Join(", ", journal.Select(e => $"{e.Kind}@{cluster.Name(e.Node)}"));

    private void Log(string message) => log.WriteLine($"{_clock.ElapsedMilliseconds,7} ms  {message}");
}
