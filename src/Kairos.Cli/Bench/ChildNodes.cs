namespace Kairos.Cli.Bench;

/// <summary>
/// N <see cref="ChildNode"/>s on the benchmark's PostgreSQL schema, all given one configuration
/// file, started together and listening; one more node (the benchmark's own) shares the server's
/// connections with them. Disposing kills whichever still run.
/// </summary>
internal sealed class ChildNodes : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(90);

    private ChildNodes(List<ChildNode> all) => All = all;

    public List<ChildNode> All { get; }

    /// <summary>Starts <paramref name="count"/> nodes with the configuration <paramref name="yaml"/>; logs go to node-N.log in the benchmark's directory.</summary>
    public static async Task<ChildNodes> StartAsync(BenchDatabase database, int count, string yaml)
    {
        if (!database.IsPostgres)
        {
            throw new UsageException("nodes in processes of their own need PostgreSQL: --db postgres://…");
        }
        var config = Path.Combine(database.Directory, "nodes.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var nodes = new ChildNodes(Enumerable.Range(1, count)
            .Select(i => ChildNode.Start(database.DbFor(count + 1), config, Path.Combine(database.Directory, $"node-{i}.log")))
            .ToList());
        try
        {
            await Task.WhenAll(nodes.All.Select(c => c.ListeningAsync(StartLimit)));
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync() => await Task.WhenAll(All.Select(c => c.DisposeAsync().AsTask()));
}
