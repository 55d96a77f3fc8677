using System.Text.Json.Nodes;
using Kairos.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Cli.Bench;

/// <summary>
/// N engines in this process on one store (each with its own node id <c>bench-1</c>…<c>bench-N</c>,
/// its own store instance and connection pool, all running), each with a no-op handler named
/// <see cref="Handler"/> that counts the runs its node started.
/// </summary>
internal sealed class BenchNodes : IAsyncDisposable
{
    public const string Handler = "bench-count";

    private readonly List<BenchEngine> _engines;
    private readonly long[] _started;

    private BenchNodes(List<BenchEngine> engines, long[] started)
    {
        _engines = engines;
        _started = started;
    }

    public IReadOnlyList<BenchEngine> Nodes => _engines;

    public static async Task<BenchNodes> StartAsync(BenchDatabase database, int count, Action<KairosOptions> configure)
    {
        if (count > 1 && !database.IsPostgres)
        {
            throw new UsageException("--nodes above 1 needs PostgreSQL (--db postgres://…): a SQLite file belongs to one node");
        }
        var started = new long[count];
        var engines = new List<BenchEngine>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var node = i;
                engines.Add(await BenchEngine.StartAsync(
                    database,
                    o =>
                    {
                        o.NodeId = $"bench-{node + 1}";
                        configure(o);
                    },
                    services => services.AddHandler(Handler, _ =>
                    {
                        Interlocked.Increment(ref started[node]);
                        return Task.FromResult<JsonNode?>(null);
                    }),
                    count));
            }
        }
        catch
        {
            await DisposeAllAsync(engines);
            throw;
        }
        return new BenchNodes(engines, started);
    }

    /// <summary>Runs started on all nodes together.</summary>
    public long TotalStarted
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _started.Length; i++)
            {
                total += Interlocked.Read(ref _started[i]);
            }
            return total;
        }
    }

    /// <summary>Runs started on each node, by node id.</summary>
    public JsonObject StartedPerNode()
    {
        var counts = new JsonObject();
        for (var i = 0; i < _engines.Count; i++)
        {
            counts[_engines[i].Engine.Options.NodeId] = Interlocked.Read(ref _started[i]);
        }
        return counts;
    }

    public ValueTask DisposeAsync() => DisposeAllAsync(_engines);

    private static async ValueTask DisposeAllAsync(List<BenchEngine> engines)
    {
        // In parallel: each stop waits for its own loops, and stopping one node does not hold up the others.
        await Task.WhenAll(engines.Select(e => e.DisposeAsync().AsTask()));
    }
}
