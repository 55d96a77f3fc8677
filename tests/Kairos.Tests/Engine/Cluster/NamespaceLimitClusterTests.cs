using Kairos.Hosting;
using Kairos.Model;
using Kairos.Tests.Storage;
using Kairos.Tests.Support;
using Xunit;

namespace Kairos.Tests.Engine.Cluster;

/// <summary>Two engines on one PostgreSQL schema share a namespace's running limit.</summary>
public sealed class NamespaceLimitClusterTests : IAsyncLifetime
{
    private readonly string _schema = "kairos_t_" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<PostgresNode> _nodes = [];
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;
    private int _mostRunning;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        if (PostgresFactAttribute.ConnectionString is not null)
        {
            await PostgresSchema.DropAsync(_schema);
        }
    }

    private async Task<PostgresNode> StartAsync(string id)
    {
        var node = await PostgresNode.StartAsync(_schema, id, o => o.Namespaces["billing"] = new NamespaceOptions { MaxRunning = 2 },
            handlers: k => k.AddHandler("held", async _ =>
            {
                var now = Interlocked.Increment(ref _running);
                AtomicMax.Raise(ref _mostRunning, now);
                await _release.Task;
                Interlocked.Decrement(ref _running);
                return null;
            }));
        _nodes.Add(node);
        return node;
    }

    [PostgresFact]
    public async Task Two_engines_never_run_more_of_a_namespaces_jobs_than_its_limit_and_other_namespaces_go_on()
    {
        var a = await StartAsync("node-a");
        var b = await StartAsync("node-b");
        await a.Engine.SaveJobAsync(new JobDefinition { Name = "billing/held", Executor = new HandlerExecutorSpec("held") });
        await a.Engine.SaveJobAsync(new JobDefinition { Name = "free", Executor = new HandlerExecutorSpec("noop") });
        var held = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            held.Add((await (i % 2 == 0 ? a : b).Engine.EnqueueAsync(new RunRequest("billing/held", TriggerSources.Manual))).RunId);
        }
        var free = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            free.Add((await b.Engine.EnqueueAsync(new RunRequest("free", TriggerSources.Manual))).RunId);
        }

        // The default namespace's runs finish while billing's are held at its limit.
        await Eventually.TrueAsync(async () => (await RunStatesAsync(a, free)).All(s => s == RunState.Succeeded), "the free runs to succeed", timeoutMs: 10_000);
        await Eventually.TrueAsync(() => Volatile.Read(ref _running) == 2, "two billing runs to be held", timeoutMs: 10_000);
        Assert.Equal(4, (await RunStatesAsync(a, held)).Count(s => s == RunState.Queued));

        _release.SetResult();
        await Eventually.TrueAsync(async () => (await RunStatesAsync(a, held)).All(s => s == RunState.Succeeded), "the billing runs to succeed", timeoutMs: 10_000);
        Assert.Equal(2, _mostRunning);
    }

    private static async Task<List<RunState>> RunStatesAsync(PostgresNode node, IEnumerable<long> ids)
    {
        var states = new List<RunState>();
        foreach (var id in ids)
        {
            states.Add((await node.Engine.Store.GetRunAsync(id, CancellationToken.None))!.State);
        }
        return states;
    }
}
