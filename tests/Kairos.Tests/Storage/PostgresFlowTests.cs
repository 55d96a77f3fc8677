using Kairos.Model;
using Kairos.Storage;
using Kairos.Storage.Postgres;
using Kairos.Tests.Support;

namespace Kairos.Tests.Storage;

/// <summary>Flow control with several nodes on one PostgreSQL schema, claiming and enqueueing at once.</summary>
public sealed class PostgresFlowTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;
    private static readonly Dictionary<string, int> None = [];

    private static async Task WithNodesAsync(int count, FlowControl flow, Func<PostgresStore[], Task> work)
    {
        var schema = "kairos_t_" + Guid.NewGuid().ToString("N")[..12];
        var stores = Enumerable.Range(0, count).Select(i => new PostgresStore(PostgresFactAttribute.ConnectionString!, $"node-{i}", schema)).ToArray();
        try
        {
            foreach (var store in stores)
            {
                await store.MigrateAsync(CancellationToken.None);
            }
            await stores[0].SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok"), Flow = flow }, [], T0, CancellationToken.None);
            await work(stores);
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
            await PostgresSchema.DropAsync(schema);
        }
    }

    private static RunRequest For(string customer) => new("job", TriggerSources.Manual) { Payload = $$"""{"customer":"{{customer}}"}""" };

    [PostgresFact]
    public Task Nodes_claiming_at_once_never_go_over_a_concurrency_key_limit_and_lose_nothing() =>
        WithNodesAsync(4, new FlowControl { Concurrency = [new ConcurrencyKey(2, "{{payload.customer}}")] }, async nodes =>
        {
            const int Runs = 60;
            await nodes[0].EnqueueManyAsync(Enumerable.Range(0, Runs).Select(i => For($"c{i % 3}")).ToList(), T0, CancellationToken.None);
            var finished = 0;
            var busiest = 0;
            for (var round = 0; round < 500 && finished < Runs; round++)
            {
                await Task.WhenAll(nodes.Select((n, i) =>
                    n.ClaimAsync(new ClaimRequest($"node-{i}", T0, T0.AddMinutes(5), 4, None, None), CancellationToken.None)));
                var running = await nodes[0].ListRunsAsync(new RunQuery { State = RunState.Running, Limit = 1000 }, CancellationToken.None);
                foreach (var perKey in running.GroupBy(r => r.Payload))
                {
                    Assert.True(perKey.Count() <= 2, $"{perKey.Count()} running for {perKey.Key}");
                    busiest = Math.Max(busiest, perKey.Count());
                }
                // Every node finishes its runs, all at once.
                await Task.WhenAll(running.Select(r => nodes[int.Parse(r.LeaseOwner!["node-".Length..], System.Globalization.CultureInfo.InvariantCulture)]
                    .CompleteAsync(new RunCompletion(r.Id, r.LeaseOwner!, RunOutcome.Succeeded, T0), CancellationToken.None)));
                finished += running.Count;
            }
            Assert.Equal(2, busiest);
            Assert.Equal(Runs, finished);
            var all = await nodes[0].ListRunsAsync(new RunQuery { Limit = 1000 }, CancellationToken.None);
            Assert.Equal(Runs, all.Count);
            Assert.All(all, r => Assert.Equal(RunState.Succeeded, r.State));
        });

    [PostgresFact]
    public Task Nodes_enqueueing_at_once_keep_a_rate_limit_and_a_singleton_exact() =>
        WithNodesAsync(4, new FlowControl
        {
            RateLimit = new RateLimitRule(5, TimeSpan.FromHours(1), "{{payload.customer}}"),
        }, async nodes =>
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => nodes[i % nodes.Length].EnqueueAsync(For("a"), T0, CancellationToken.None)));
            Assert.Equal(5, results.Count(r => r.State == RunState.Queued));
            Assert.Equal(11, results.Count(r => r.State == RunState.Skipped));

            await nodes[0].SaveJobAsync(new JobDefinition { Name = "job", Executor = new HandlerExecutorSpec("ok"), Flow = new FlowControl { Singleton = new SingletonRule("{{payload.customer}}") } },
                [], T0, CancellationToken.None);
            var single = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => nodes[i % nodes.Length].EnqueueAsync(For("s"), T0, CancellationToken.None)));
            Assert.Single(single, r => r.State == RunState.Queued);
        });
}
