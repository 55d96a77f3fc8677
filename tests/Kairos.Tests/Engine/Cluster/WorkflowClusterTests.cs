using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Tests.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Engine.Cluster;

/// <summary>A workflow whose steps are claimed by three engines on one PostgreSQL schema, on real time.</summary>
public sealed class WorkflowClusterTests : IAsyncLifetime
{
    private const int Branches = 12;

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

    [PostgresFact]
    public async Task A_workflow_fanned_out_over_three_engines_completes_with_no_step_run_twice()
    {
        // Each step notes the node that ran it and takes a moment, and each node has two workers: the others claim the rest.
        var ran = new ConcurrentQueue<(string Node, string Step)>();
        for (var i = 0; i < 3; i++)
        {
            var node = $"node-{(char)('a' + i)}";
            _nodes.Add(await PostgresNode.StartAsync(_schema, node, o => o.Workers = 2, k => k.AddHandler("work", async ctx =>
            {
                ran.Enqueue((node, ctx.Payload.GetProperty("step").GetString()!));
                await Task.Delay(100, ctx.CancellationToken);
                return new JsonObject { ["by"] = node };
            })));
        }
        WorkflowStep Work(string id, params string[] needs) =>
            new(id) { Run = new HandlerExecutorSpec("work"), Input = $$"""{"step": "{{id}}"}""", Needs = needs, Retry = RetryPolicy.Default with { MaxAttempts = 1 } };
        var branches = Enumerable.Range(1, Branches).Select(i => $"branch-{i}").ToArray();
        await _nodes[0].Engine.SaveJobAsync(new JobDefinition
        {
            Name = "fan",
            Executor = new WorkflowExecutorSpec([Work("start"), .. branches.Select(b => Work(b, "start")), Work("join", branches)]),
        });

        var run = await _nodes[1].Engine.RunNowAsync("fan", "{}");
        var ended = await _nodes[2].Engine.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(60));

        Assert.Equal(RunState.Succeeded, ended!.State);
        var times = ran.GroupBy(r => r.Step).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new[] { "start", "join" }.Concat(branches).Order(StringComparer.Ordinal), times.Keys.Order(StringComparer.Ordinal)); // Every step ran,
        Assert.All(times, t => Assert.Equal(1, t.Value)); // and none twice,
        Assert.Equal(3, ran.Select(r => r.Node).Distinct().Count()); // on all three engines.
        var stored = (await _nodes[0].Engine.Store.GetWorkflowAsync(run.RunId, CancellationToken.None))!;
        Assert.All(stored.Steps, s => Assert.Equal("succeeded", s.State));
    }
}
