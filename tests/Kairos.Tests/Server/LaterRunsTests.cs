using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>Runs and events "at a later time" through the API and the CLI: queued now, due then, not started before.</summary>
public sealed class LaterRunsTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("""
        subscriptions:
          later:
            events: "reminder.*"
            job: nap
        jobs:
          nap:
            handler: echo
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_run_asked_for_in_ten_minutes_is_queued_due_ten_minutes_later()
    {
        var before = _server.Client.Clock.GetUtcNow();
        using var response = await _server.Http.PostAsync("/api/jobs/nap/run?in=10m", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["runId"]!.GetValue<long>();

        var run = await _server.Client.GetRunAsync(runId);

        Assert.Equal(RunState.Queued, run!.State);
        Assert.InRange(run.DueAt, before.AddMinutes(10).AddSeconds(-1), _server.Client.Clock.GetUtcNow().AddMinutes(10).AddSeconds(1));
    }

    [Fact]
    public async Task An_event_published_for_a_given_instant_is_stored_now_and_its_runs_are_due_then()
    {
        var at = new DateTimeOffset(2031, 1, 31, 9, 0, 0, TimeSpan.FromHours(1));

        var (exit, output, error) = await CliRunner.RunAsync(["events", "publish", "reminder.due", "--at", at.ToString("O"), "--json", "--server", _server.Url]);

        Assert.True(exit == 0, error);
        var runId = JsonNode.Parse(output)!["runIds"]![0]!.GetValue<long>();
        var run = await _server.Client.GetRunAsync(runId);
        Assert.Equal(RunState.Queued, run!.State);
        Assert.Equal(at, run.DueAt);
    }

    [Theory]
    [InlineData("/api/jobs/nap/run?in=10m&at=2031-01-01T00:00:00Z", "either at")]
    [InlineData("/api/jobs/nap/run?in=soon", "is not a delay")]
    [InlineData("/api/jobs/nap/run?at=tomorrow", "is not an instant")]
    [InlineData("/api/jobs/nap/run?in=36501d", "is not a delay")]
    public async Task A_later_time_that_is_not_one_is_a_400_and_queues_nothing(string path, string says)
    {
        using var response = await _server.Http.PostAsync(path, null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(says, await response.Content.ReadAsStringAsync());
        Assert.Empty(await _server.Client.ListRunsAsync(new RunQuery { JobName = "nap" }));
    }
}
