using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;
using Npgsql;

namespace Kairos.Tests.EndToEnd;

/// <summary>One <c>kairos serve</c> process of a <see cref="KairosCluster"/> and the node id it reports on <c>/healthz</c>.</summary>
public sealed record ClusterNode(int Index, KairosServerProcess Server, string Id)
{
    public override string ToString() => $"node {Index} ({Id}, pid {Server.Pid})";
}

/// <summary>A run as <c>GET /api/runs</c> shows it, with the fields the cluster tests look at.</summary>
public sealed record ApiRun(long Id, string State, int Attempt, string? LeaseOwner, DateTimeOffset CreatedAt, JsonNode? Payload)
{
    public static ApiRun From(JsonNode run) => new(
        (long)run["id"]!, (string)run["state"]!, (int)run["attempt"]!, (string?)run["leaseOwner"], Time(run["createdAt"]!), run["payload"]);

    /// <summary>The tick a time trigger fired this run for (its payload's <c>scheduledAt</c>), if any.</summary>
    public DateTimeOffset? ScheduledAt => Payload?["scheduledAt"] is { } at ? Time(at) : null;

    public bool Finished => State is "succeeded" or "dead" or "cancelled" or "skipped";

    private static DateTimeOffset Time(JsonNode text) => DateTimeOffset.Parse((string)text!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

/// <summary>One journal entry about a run, as <c>GET /api/runs/{id}/journal</c> shows it.</summary>
public sealed record ApiJournalEntry(long Seq, string Kind, string? Node)
{
    public static ApiJournalEntry From(JsonNode entry) => new((long)entry["seq"]!, (string)entry["kind"]!, (string?)entry["node"]);
}

/// <summary>
/// Several real <c>kairos serve</c> processes (<see cref="KairosServerProcess"/>) on one PostgreSQL
/// database: one config file, one fresh schema (dropped on dispose), a loopback port each. Reads go
/// to any node still running, since they all see the same database.
/// </summary>
public sealed class KairosCluster : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly string _schema;
    private readonly List<ClusterNode> _nodes = [];

    private KairosCluster(TempDirectory directory, string schema)
    {
        _directory = directory;
        _schema = schema;
    }

    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    public IEnumerable<ClusterNode> Running => _nodes.Where(n => !n.Server.HasExited);

    /// <summary>Everything every node wrote, for failure messages.</summary>
    public string Output => string.Join("\n", _nodes.Select(n => $"===== {n} =====\n{n.Server.Output}"));

    /// <summary>Starts <paramref name="size"/> nodes at once (they race through migrations and job set-up, as a real roll-out does) and waits until all are healthy.</summary>
    public static async Task<KairosCluster> StartAsync(string yaml, int size)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.ConnectionString!);
        var cluster = new KairosCluster(new TempDirectory(), "kairos_cluster_" + Guid.NewGuid().ToString("N")[..8]);
        var url = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}?schema={cluster._schema}";
        var config = cluster._directory.File("kairos.yaml");
        await File.WriteAllTextAsync(config, yaml);
        try
        {
            var starts = Enumerable.Range(0, size).Select(_ => KairosServerProcess.StartAsync(config, url)).ToList();
            try
            {
                await Task.WhenAll(starts);
            }
            finally
            {
                // Keep every process that did start, so dispose kills it even when another failed.
                foreach (var (start, index) in starts.Select((s, i) => (s, i)).Where(x => x.s.IsCompletedSuccessfully))
                {
                    var health = await start.Result.GetJsonAsync("healthz");
                    cluster._nodes.Add(new ClusterNode(index, start.Result, (string)health["node"]!));
                }
            }
            Assert.Equal(size, cluster._nodes.Select(n => n.Id).Distinct().Count());
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public ClusterNode Node(string id) => _nodes.Single(n => n.Id == id);

    /// <summary>"node 2" for a node id of this cluster, the id itself otherwise.</summary>
    public string Name(string? nodeId) => _nodes.FirstOrDefault(n => n.Id == nodeId) is { } node ? $"node {node.Index}" : nodeId ?? "(none)";

    /// <summary>GET from any running node.</summary>
    public Task<JsonNode> GetJsonAsync(string path) => Running.First().Server.GetJsonAsync(path);

    /// <summary>Runs by state over the whole cluster (<c>GET /api/stats</c>).</summary>
    public async Task<IReadOnlyDictionary<string, long>> RunsByStateAsync() =>
        (await GetJsonAsync("api/stats"))["runs"]!.AsObject().ToDictionary(kv => kv.Key, kv => (long)kv.Value!);

    public static string Describe(IReadOnlyDictionary<string, long> states) =>
        states.Count == 0 ? "(no runs)" : string.Join(", ", states.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"));

    /// <summary>Every run of <paramref name="job"/> (one page: the tests stay well under the API's 10,000 limit).</summary>
    public async Task<IReadOnlyList<ApiRun>> RunsAsync(string job, string? state = null)
    {
        var query = $"api/runs?job={job}&limit=10000" + (state is null ? "" : $"&state={state}");
        var runs = (await GetJsonAsync(query)).AsArray().Select(r => ApiRun.From(r!)).ToList();
        Assert.True(runs.Count < 10_000, "more runs than one page of GET /api/runs holds");
        return runs;
    }

    /// <summary>
    /// The journal of each run, fetched with bounded parallelism and spread over the running nodes
    /// (each entry in seq order).
    /// </summary>
    public async Task<IReadOnlyDictionary<long, IReadOnlyList<ApiJournalEntry>>> JournalsAsync(IEnumerable<long> runIds, int parallelism = 6)
    {
        var nodes = Running.ToList();
        var journals = new ConcurrentDictionary<long, IReadOnlyList<ApiJournalEntry>>();
        await Parallel.ForEachAsync(runIds.Select((id, i) => (id, i)), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (x, _) =>
        {
            var entries = await nodes[x.i % nodes.Count].Server.GetJsonAsync($"api/runs/{x.id}/journal");
            journals[x.id] = entries.AsArray().Select(e => ApiJournalEntry.From(e!)).ToList();
        });
        return journals;
    }

    /// <summary>
    /// POSTs <paramref name="count"/> runs of <paramref name="job"/> (<c>POST /api/jobs/{job}/run</c>),
    /// round-robin over the running nodes, at most <paramref name="parallelism"/> at a time; every
    /// answer must be 202 with a new run. Returns the accepted run ids.
    /// </summary>
    public async Task<IReadOnlyList<long>> EnqueueAsync(string job, int count, Func<int, string> payload, int parallelism)
    {
        var nodes = Running.ToList();
        var ids = new ConcurrentBag<long>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (i, ct) =>
        {
            using var body = new StringContent(payload(i), Encoding.UTF8, "application/json");
            using var response = await nodes[i % nodes.Count].Server.Http.PostAsync($"api/jobs/{job}/run", body, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"run {i} via {nodes[i % nodes.Count]}: {(int)response.StatusCode} {text}");
            ids.Add((long)JsonNode.Parse(text)!["runId"]!);
        });
        Assert.Equal(count, ids.Distinct().Count());
        return ids.ToList();
    }

    /// <summary>Waits until no run is queued or running any more, and returns the runs by state.</summary>
    public async Task<IReadOnlyDictionary<string, long>> WaitUntilIdleAsync(TimeSpan timeout)
    {
        IReadOnlyDictionary<string, long> states = new Dictionary<string, long>();
        await Poll.UntilAsync(async () =>
        {
            states = await RunsByStateAsync();
            return states.Keys.All(s => s is "succeeded" or "dead" or "cancelled" or "skipped");
        }, () => $"every run to finish; saw {Describe(states)}\n{Output}", timeout, intervalMs: 200);
        return states;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.Server.DisposeAsync();
        }
        try
        {
            await using var connection = new NpgsqlConnection(PostgresFactAttribute.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
        finally
        {
            _directory.Dispose();
        }
    }
}
