using System.Net;
using System.Net.Http.Json;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>Deleting a job over the API and the CLI: gone with its triggers, refused while it has runs unless told.</summary>
public sealed class JobDeletionTests
{

    [Fact]
    public async Task A_deleted_job_is_gone_with_its_triggers()
    {
        await using var server = await InProcessServer.StartAsync("jobs: {}\n");
        using (var put = await server.Http.PutAsJsonAsync("/api/jobs/tick", new { handler = "noop", triggers = new[] { new { cron = "0 0 1 1 *" } } }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var deleted = await server.Http.DeleteAsync("/api/jobs/tick");
        using var after = await server.Http.GetAsync("/api/jobs/tick");
        using var again = await server.Http.DeleteAsync("/api/jobs/tick");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Empty(await server.Client.ListTriggersAsync());
    }

    [Fact]
    public async Task A_job_with_a_running_run_is_refused_with_409_until_deleted_with_cancel_runs_which_stops_it()
    {
        await using var server = await InProcessServer.StartAsync("jobs: {}\n");
        using (var put = await server.Http.PutAsJsonAsync("/api/jobs/long", new { handler = "sleep" }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        var run = await server.Client.RunNowAsync("long", """{"ms":600000}""");
        await Eventually.TrueAsync(async () => (await server.Client.GetRunAsync(run.RunId))!.State == Model.RunState.Running, "the run started");

        using var refused = await server.Http.DeleteAsync("/api/jobs/long");
        var (exit, output, _) = await CliRunner.RunAsync(["jobs", "delete", "long", "--cancel-runs", "--server", server.Url]);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("--cancel-runs", await refused.Content.ReadAsStringAsync());
        Assert.Equal(0, exit);
        Assert.Contains("job 'long' deleted", output);
        var stopped = await server.Client.WaitForRunAsync(run.RunId, TimeSpan.FromSeconds(30));
        Assert.Equal(Model.RunState.Cancelled, stopped!.State);
        Assert.Null(await server.Client.GetJobAsync("long"));
        Assert.Contains(await server.Client.ListJournalAsync(new JournalQuery { JobName = "long" }), e => e.Kind == "job.deleted");
    }
}
