using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Kairos.Tests.EndToEnd;

/// <summary>
/// The durability promise, end to end: a <c>kairos serve</c> process killed with SIGKILL while
/// hundreds of accepted runs are queued or running loses none of them. After a restart on the same
/// database every accepted run finishes, and the journal accounts for every attempt.
/// </summary>
public sealed class CrashRecoveryTests(ITestOutputHelper log)
{
    private const int Runs = 400;
    // 8 workers × 100 ms caps the server at 80 runs/s, so 400 runs cannot all finish while they are
    // still being accepted, even on a busy machine: hundreds are in flight when the kill comes.
    private const int SleepMs = 100;

    private const string Config = """
        engine:
          workers: 8
          leaseDuration: 2s
        jobs:
          nap:
            handler: sleep
            retry: { backoff: fixed, initialDelay: 100ms, maxDelay: 100ms, maxAttempts: 5 }
        """;

    [Fact]
    public async Task A_server_killed_with_SIGKILL_loses_no_accepted_run_and_the_journal_accounts_for_every_attempt()
    {
        using var directory = new TempDirectory();
        var config = directory.File("kairos.yaml");
        var database = directory.File("kairos.db");
        await File.WriteAllTextAsync(config, Config);
        var clock = Stopwatch.StartNew();
        await using var server = await KairosServerProcess.StartAsync(config, database);
        var killedNode = (string)(await server.GetJsonAsync("healthz"))["node"]!;
        log.WriteLine($"{clock.ElapsedMilliseconds,6} ms  server healthy (pid {server.Pid}, node {killedNode})");

        // Accept 400 runs; every 202 is a promise.
        var accepted = await EnqueueAsync(server, Runs);
        Assert.Equal(Runs, accepted.Count);
        log.WriteLine($"{clock.ElapsedMilliseconds,6} ms  {Runs} runs accepted");

        // Kill it while runs are running and many are still waiting.
        IReadOnlyDictionary<string, long> atKill = new Dictionary<string, long>();
        await Poll.UntilAsync(async () =>
        {
            atKill = await RunsByStateAsync(server);
            return atKill.GetValueOrDefault("succeeded") >= 50 && atKill.GetValueOrDefault("running") > 0;
        }, () => $"≥ 50 succeeded and some running; saw {Describe(atKill)}", TimeSpan.FromSeconds(20), intervalMs: 10);
        var pid = server.Pid;
        server.KillHard();
        log.WriteLine($"{clock.ElapsedMilliseconds,6} ms  SIGKILL with {Describe(atKill)}");

        Assert.True(server.HasExited);
        Assert.Equal(128 + 9, server.ExitCode); // Killed by signal 9, not exited on its own.
        Assert.False(IsAlive(pid), $"process {pid} is still there after SIGKILL");
        var unfinished = Runs - atKill.GetValueOrDefault("succeeded");
        Assert.True(unfinished >= 100, $"only {unfinished} runs were unfinished at the kill; the test needs hundreds in flight ({Describe(atKill)})");

        // Same database, same config, same port.
        await server.RestartAsync();
        var newNode = (string)(await server.GetJsonAsync("healthz"))["node"]!;
        Assert.NotEqual(killedNode, newNode);
        log.WriteLine($"{clock.ElapsedMilliseconds,6} ms  restarted (pid {server.Pid}, node {newNode})");
        IReadOnlyDictionary<string, long> now = new Dictionary<string, long>();
        await Poll.UntilAsync(async () =>
        {
            now = await RunsByStateAsync(server);
            return now.GetValueOrDefault("succeeded") == Runs;
        }, () => $"all {Runs} runs to succeed; saw {Describe(now)}; server output:\n{server.Output}", TimeSpan.FromSeconds(30), intervalMs: 50);
        log.WriteLine($"{clock.ElapsedMilliseconds,6} ms  all succeeded: {Describe(now)}");
        Assert.Equal(Runs, now.Values.Sum());

        var exit = await server.StopAsync();
        Assert.Equal(0, exit);
        log.WriteLine($"{clock.ElapsedMilliseconds,6} ms  stopped gracefully");

        // The database, read directly: runs that exist, and every journal entry per run.
        var (runs, journal) = ReadDatabase(database);

        Assert.Equal(accepted.Order(), runs.Keys.Order()); // None lost, none that was not accepted.
        Assert.All(runs.Values, r => Assert.Equal("succeeded", r.State));
        var rescuedFromKilledNode = 0;
        foreach (var id in accepted)
        {
            var entries = journal.GetValueOrDefault(id) ?? [];
            var kinds = entries.Select(e => e.Kind).ToList();
            int Count(string kind) => kinds.Count(k => k == kind);
            var trail = string.Join(", ", entries.Select(e => $"{e.Kind}@{(e.Node == killedNode ? "killed" : e.Node == newNode ? "new" : e.Node)}"));
            Assert.True(Count("run.enqueued") == 1, $"run {id}: {trail}");
            Assert.True(Count("run.succeeded") == 1, $"run {id}: {trail}");
            Assert.True(Count("run.dead") + Count("run.cancelled") + Count("run.released") == 0, $"run {id}: {trail}");
            Assert.True(Count("run.started") == 1 + Count("run.rescued") + Count("run.failed"), $"run {id}: every attempt starts once and ends once: {trail}");
            Assert.True(runs[id].Attempt == Count("run.started"), $"run {id} has attempt {runs[id].Attempt} but {Count("run.started")} starts: {trail}");
            Assert.Equal("run.enqueued", kinds[0]);
            Assert.Equal("run.succeeded", kinds[^1]);

            // A rescue hands back the attempt started just before it; those that the kill interrupted then finish on the new node.
            for (var i = 0; i < entries.Count; i++)
            {
                if (entries[i].Kind == "run.rescued" && entries.Take(i).Last(e => e.Kind == "run.started").Node == killedNode)
                {
                    rescuedFromKilledNode++;
                    Assert.True(entries[^1].Node == newNode, $"run {id} was rescued from the killed node but did not finish on the new one: {trail}");
                }
            }
        }
        log.WriteLine($"{rescuedFromKilledNode} run(s) running on the killed node were rescued by the new one");
        Assert.True(rescuedFromKilledNode >= 1, "no run was rescued: nothing was running when the server was killed");
        Assert.True(rescuedFromKilledNode <= 8, $"{rescuedFromKilledNode} runs were rescued from the killed node but it had only 8 workers");
    }

    private static async Task<List<long>> EnqueueAsync(KairosServerProcess server, int count)
    {
        var ids = new ConcurrentBag<long>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            using var body = new StringContent($$"""{"ms":{{SleepMs}},"i":{{i}}}""", Encoding.UTF8, "application/json");
            using var response = await server.Http.PostAsync("api/jobs/nap/run", body, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"run {i}: {(int)response.StatusCode} {text}");
            ids.Add((long)JsonNode.Parse(text)!["runId"]!);
        });
        Assert.Equal(count, ids.Distinct().Count());
        return ids.ToList();
    }

    private static async Task<IReadOnlyDictionary<string, long>> RunsByStateAsync(KairosServerProcess server) =>
        (await server.GetJsonAsync("api/stats"))["runs"]!.AsObject().ToDictionary(kv => kv.Key, kv => (long)kv.Value!);

    private static string Describe(IReadOnlyDictionary<string, long> states) =>
        states.Count == 0 ? "(nothing yet)" : string.Join(", ", states.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"));

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static (Dictionary<long, (string State, int Attempt)> Runs, Dictionary<long, List<(string Kind, string Node)>> Journal) ReadDatabase(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        var runs = new Dictionary<long, (string, int)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, state, attempt FROM runs";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                runs[reader.GetInt64(0)] = (reader.GetString(1), reader.GetInt32(2));
            }
        }
        var journal = new Dictionary<long, List<(string Kind, string Node)>>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT run_id, kind, node FROM journal WHERE run_id IS NOT NULL ORDER BY seq";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                if (!journal.TryGetValue(id, out var kinds))
                {
                    journal[id] = kinds = [];
                }
                kinds.Add((reader.GetString(1), reader.GetString(2)));
            }
        }
        return (runs, journal);
    }
}
