using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Configuration;
using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench failover</c>: N <c>kairos serve</c> processes on one PostgreSQL schema, with a
/// job whose cron trigger fires every second. Once the leader has fired ticks, it is stopped —
/// killed (SIGKILL: a crash, its lease has to run out) or terminated (SIGTERM: a normal shutdown,
/// it gives the lease up) — and the benchmark measures from that moment until another node leads
/// (its <c>leader.elected</c> journal entry, and its <c>/healthz</c> saying so) and until the new
/// leader fires its first tick (the first <c>run.enqueued</c> of the cron job it journals).
/// </summary>
internal static class FailoverBench
{
    public static readonly string[] Options = ["--nodes", "--leader-lease", "--stop", "--db"];

    private const string Job = "tick";
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    public static async Task<BenchReport> RunAsync(CliArgs args)
    {
        var nodes = BenchArgs.Int(args, "--nodes", 3, min: 2, max: 8);
        var leaseText = args.Get("--leader-lease") ?? "3s";
        if (!Durations.TryParse(leaseText, out var lease) || lease < TimeSpan.FromSeconds(1))
        {
            throw new UsageException($"--leader-lease '{leaseText}' must be a duration of at least 1s, such as 3s");
        }
        var kill = (args.Get("--stop") ?? "kill") switch
        {
            "kill" => true,
            "term" => false,
            var other => throw new UsageException($"--stop '{other}' must be kill (SIGKILL, a crash) or term (SIGTERM, a normal shutdown)"),
        };
        await using var database = await BenchDatabase.CreateAsync(args.Get("--db"));
        await using var children = await ChildNodes.StartAsync(database, nodes, $$"""
            engine:
              leaderLease: {{leaseText}}
            jobs:
              {{Job}}:
                handler: noop
                triggers:
                  - cron: "* * * * * *"
            """);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await using var observer = await database.OpenStoreAsync("bench-observer", nodes + 1);
        var measured = await FailOverAsync(children.All, http, observer, lease, kill);
        return new BenchReport(
            "failover",
            new JsonObject
            {
                ["nodes"] = $"{nodes} kairos serve processes",
                ["leaderLease"] = leaseText,
                ["stop"] = kill ? "SIGKILL (crash: the lease runs out)" : "SIGTERM (normal shutdown: the lease is given up)",
                ["cron"] = "* * * * * *",
                ["database"] = database.Describe(nodes + 1),
            },
            measured);
    }

    private static async Task<JsonObject> FailOverAsync(List<ChildNode> children, HttpClient http, IKairosStore observer, TimeSpan lease, bool kill)
    {
        var journal = new JournalTail(observer);
        JournalEntry? lastOldTick = null;
        var ledger = new TickLedger(Job);
        var leaderId = "";
        var elections = new Dictionary<string, JournalEntry>(); // Each node's latest leader.elected.
        void Track(JournalEntry e)
        {
            ledger.Add(e);
            if (e.Kind == "leader.elected" && e.Node is { } node)
            {
                elections[node] = e;
            }
            if (IsTickBy(e, leaderId))
            {
                lastOldTick = e;
            }
        }
        // The node to stop is the one that leads and fires. On a loaded machine a short lease can
        // pass to the other node before the first leader's tick is seen: then look for the leader again.
        var startDeadline = DateTimeOffset.UtcNow + StartLimit;
        ChildNode? leader = null;
        while (leader is null)
        {
            var remaining = startDeadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new InvalidOperationException("no node led and fired a tick; see the node logs");
            }
            var found = await FindLeaderAsync(children, http, remaining)
                ?? throw new InvalidOperationException("no node became the leader; see the node logs");
            leaderId = found.Id;
            var window = TimeSpan.FromSeconds(3) + (3 * lease);
            if (await journal.WaitForAsync(e => IsTickBy(e, leaderId), window < remaining ? window : remaining, Track) is not null)
            {
                leader = found.Child;
            }
        }
        // Stop at a random point of the leader's renewal cycle.
        await Task.Delay(TimeSpan.FromSeconds(2) + Random.Shared.NextDouble() * (lease / 3));
        foreach (var entry in await journal.ReadNewAsync())
        {
            Track(entry);
        }

        var stoppedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        if (kill)
        {
            leader.Kill();
        }
        else
        {
            await leader.TerminateAsync();
        }
        var survivors = children.Where(c => c != leader).ToList();
        var limit = 3 * lease + TimeSpan.FromSeconds(30);
        var seen = await FindLeaderAsync(survivors, http, limit)
            ?? throw new InvalidOperationException($"no other node led within {limit.TotalSeconds} s of the stop");
        var seenAfter = clock.Elapsed;

        JournalEntry? resigned = null;
        var firstNewTick = await journal.WaitForAsync(e => IsTickBy(e, seen.Id), limit, e =>
        {
            Track(e);
            resigned ??= e.Kind == "leader.resigned" ? e : null;
        }) ?? throw new InvalidOperationException("the new leader fired no tick; see the node logs");
        // On a loaded machine the short lease can pass to the survivor before the stop: its election
        // then comes before the stop, read with the journal before it, and electedAfterMs is negative.
        var elected = elections.GetValueOrDefault(seen.Id);

        await journal.WaitForAsync(_ => false, TimeSpan.FromSeconds(2), Track); // The ticks just after, to see none is missing.

        double? After(JournalEntry? e) => e is null ? null : Math.Round((e.At - stoppedAt).TotalMilliseconds);
        var measured = new JsonObject
        {
            ["oldLeader"] = leaderId,
            ["newLeader"] = seen.Id,
            ["resignedAfterMs"] = After(resigned),
            ["electedAfterMs"] = After(elected),
            ["leaderSeenAfterMs"] = Math.Round(seenAfter.TotalMilliseconds),
            ["firstTickAfterMs"] = After(firstNewTick),
            ["lastOldTickBeforeMs"] = -After(lastOldTick),
            ["tickGapMs"] = lastOldTick is null ? null : Math.Round((firstNewTick.At - lastOldTick.At).TotalMilliseconds),
            ["firstTickLateMs"] = Math.Round((firstNewTick.At - await TickLedger.TickOfAsync(observer, firstNewTick)).TotalMilliseconds),
            ["boundMs"] = kill ? (lease + lease / 3).TotalMilliseconds : (lease / 3).TotalMilliseconds,
        };
        foreach (var (name, value) in await ledger.DescribeAsync(observer, lastOldTick!, stoppedAt, leaderId))
        {
            measured[name] = value?.DeepClone();
        }
        return measured;
    }

    private static bool IsTickBy(JournalEntry entry, string node) =>
        entry.Kind == "run.enqueued" && entry.JobName == Job && entry.Node == node;

    /// <summary>Polls the nodes' /healthz every 10 ms until one says it leads.</summary>
    private static async Task<(ChildNode Child, string Id)?> FindLeaderAsync(List<ChildNode> children, HttpClient http, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            foreach (var child in children)
            {
                if (await child.HealthAsync(http) is { Leader: true } health)
                {
                    return (child, health.Node);
                }
            }
            await Task.Delay(10);
        }
        return null;
    }
}
