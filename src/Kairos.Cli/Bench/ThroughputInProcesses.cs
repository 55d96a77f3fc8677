using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Model;

namespace Kairos.Cli.Bench;

/// <summary>
/// <c>kairos bench throughput --nodes N --nodes-as processes</c>: the N nodes are <c>kairos serve</c>
/// processes (shipped server, built-in <c>noop</c> handler) and this process is one more node with
/// no workers that only enqueues; it follows the journal to see the runs succeed and which node
/// ran each.
/// </summary>
internal static class ThroughputInProcesses
{
    private const string Job = "bench-noop";
    private static readonly TimeSpan FinishLimit = TimeSpan.FromMinutes(30);

    public static async Task<ThroughputRun> RunAsync(BenchDatabase database, int n, int workers, int nodes)
    {
        await using var children = await ChildNodes.StartAsync(database, nodes, $$"""
            engine:
              workers: {{workers}}
            jobs:
              {{Job}}:
                handler: noop
            """);
        await using var enqueuer = await BenchEngine.StartAsync(database, o => { o.NodeId = "bench-enqueuer"; o.Workers = 0; }, nodes: nodes + 1);
        var journal = new JournalTail(enqueuer.Engine.Store);
        var succeeded = new Dictionary<string, long>(StringComparer.Ordinal);
        long started = 0, finished = 0;
        void Count(JournalEntry e)
        {
            switch (e.Kind)
            {
                case "run.started":
                    started++;
                    break;
                case "run.succeeded":
                    finished++;
                    succeeded[e.Node!] = succeeded.GetValueOrDefault(e.Node!) + 1;
                    break;
                case "run.failed" or "run.dead" or "run.cancelled":
                    throw new InvalidOperationException($"a benchmark run did not succeed: {e.Kind} {e.Data}");
            }
        }
        foreach (var entry in await journal.ReadNewAsync())
        {
            Count(entry); // The jobs' set-up, before the clock starts.
        }

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, n).Select(_ => enqueuer.Engine.EnqueueAsync(new RunRequest(Job, TriggerSources.Manual))));
        var enqueueTime = clock.Elapsed;
        foreach (var entry in await journal.ReadNewAsync())
        {
            Count(entry);
        }
        var startedWhileEnqueueing = started;
        if (await journal.WaitForAsync(_ => finished >= n, FinishLimit, Count) is null)
        {
            throw new InvalidOperationException($"only {finished} of {n} runs succeeded within {FinishLimit.TotalMinutes} min; see the node logs");
        }
        var total = clock.Elapsed;
        var perNode = new JsonObject();
        foreach (var (node, count) in succeeded.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            perNode[node] = count;
        }
        return new ThroughputRun(enqueueTime, total, startedWhileEnqueueing, perNode);
    }
}
