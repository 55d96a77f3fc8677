using System.Text;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Kairos.Tests.EndToEnd;

/// <summary>
/// A 20-step workflow in a <c>kairos serve</c> process killed with SIGKILL at random points, three
/// times, resumes each time from its rows: it ends succeeded with every step done, and no step that
/// had ended ever got a second run.
/// </summary>
public sealed class WorkflowCrashTests(ITestOutputHelper log)
{
    private const int Steps = 20;

    private static string Config()
    {
        var yaml = new StringBuilder("""
            engine:
              workers: 4
              leaseDuration: 2s
            jobs:
              long:
                workflow:
                  steps:

            """);
        for (var i = 0; i < Steps; i++)
        {
            yaml.Append("          - id: s").Append(i).Append("\n            handler: sleep\n            input: { ms: 150 }\n");
            if (i > 0)
            {
                yaml.Append("            needs: [s").Append(i - 1).Append("]\n");
            }
        }
        return yaml.ToString();
    }

    [Fact]
    public async Task A_workflow_killed_at_random_points_resumes_without_repeating_a_completed_step()
    {
        using var directory = new TempDirectory();
        var config = directory.File("kairos.yaml");
        var database = directory.File("kairos.db");
        await File.WriteAllTextAsync(config, Config());
        await using var server = await KairosServerProcess.StartAsync(config, database);
        using var started = await server.Http.PostAsync("api/jobs/long/run", new StringContent("{}", Encoding.UTF8, "application/json"));
        var runId = (long)JsonNode.Parse(await started.Content.ReadAsStringAsync())!["runId"]!;

        var seed = Environment.TickCount;
        var random = new Random(seed);
        log.WriteLine($"seed {seed}");
        for (var kill = 0; kill < 3; kill++)
        {
            await Task.Delay(random.Next(300, 1200));
            var done = (await StepsAsync(server, runId)).Count(s => s == "succeeded");
            server.KillHard();
            log.WriteLine($"SIGKILL {kill + 1} with {done} step(s) done");
            await server.RestartAsync();
        }
        await Poll.UntilAsync(async () => (string?)(await server.GetJsonAsync($"api/runs/{runId}"))["run"]!["state"] == "succeeded",
            () => $"the workflow to succeed; rows:\n{Rows(database, runId)}\nserver output:\n{server.Output}", TimeSpan.FromSeconds(90), intervalMs: 100);

        Assert.All(await StepsAsync(server, runId), s => Assert.Equal("succeeded", s));
        await using var db = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COUNT(DISTINCT step_run_id) FROM workflow_steps WHERE run_id = $run";
        command.Parameters.AddWithValue("$run", runId);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal((Steps, Steps), (reader.GetInt32(0), reader.GetInt32(1)));
        }
        // One run per step, and each succeeded once: a step is never started again once it ended.
        command.CommandText = "SELECT COUNT(*) FROM runs WHERE parent_run_id = $run AND source = 'workflow'";
        Assert.Equal(Steps, Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        command.CommandText = "SELECT COUNT(*) FROM journal j JOIN runs r ON r.id = j.run_id WHERE r.parent_run_id = $run AND j.kind = 'run.succeeded'";
        Assert.Equal(Steps, Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Where the workflow stands in the database, for a failure's message: its runs, its steps' rows and the journal's tail.</summary>
    private static string Rows(string database, long runId)
    {
        using var db = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
        db.Open();
        var text = new StringBuilder();
        void Query(string title, string sql)
        {
            using var command = db.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$run", runId);
            using var reader = command.ExecuteReader();
            text.AppendLine(title);
            while (reader.Read())
            {
                text.AppendLine("  " + string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "-" : reader.GetValue(i).ToString())));
            }
        }
        Query("runs (id state attempt due_at started_at lease_owner lease_expires_at):",
            "SELECT id, state, attempt, due_at, started_at, lease_owner, lease_expires_at FROM runs WHERE id = $run OR parent_run_id = $run ORDER BY id");
        Query("workflow_runs:", "SELECT state, error FROM workflow_runs WHERE run_id = $run");
        Query("workflow_steps (step state step_run_id):", "SELECT step_id, state, step_run_id FROM workflow_steps WHERE run_id = $run ORDER BY ordinal");
        Query("journal, last 40 (seq at kind run node):", "SELECT * FROM (SELECT seq, at, kind, run_id, node FROM journal ORDER BY seq DESC LIMIT 40) ORDER BY seq");
        return text.ToString();
    }

    private static async Task<List<string>> StepsAsync(KairosServerProcess server, long runId)
    {
        try
        {
            return (await server.GetJsonAsync($"api/runs/{runId}/workflow"))["steps"]!.AsArray().Select(s => (string)s!["state"]!).ToList();
        }
        catch (HttpRequestException)
        {
            return []; // Not started yet.
        }
    }
}
