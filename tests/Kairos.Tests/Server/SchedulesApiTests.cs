using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>A job's next fire times and backfill over HTTP and through the CLI, on the real server.</summary>
public sealed class SchedulesApiTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("""
        jobs:
          report:
            handler: echo
            triggers:
              - cron: "0 9 * * MON-FRI"
                timeZone: Europe/Paris
          quarter:
            handler: echo
            triggers:
              - cron: "*/15 * * * *"
          resting:
            handler: echo
            paused: true
            triggers:
              - cron: "*/15 * * * *"
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(int Exit, string Output, string Error)> CliAsync(params string[] args) => CliRunner.RunAsync([.. args, "--server", _server.Url]);

    private async Task<(HttpStatusCode Status, JsonNode? Body)> BackfillAsync(string job, string body)
    {
        using var response = await _server.Http.PostAsync($"/api/jobs/{job}/backfill", new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>An hour that has passed, on the quarter: it holds four */15 times.</summary>
    private (string From, string To) PastHour()
    {
        var now = _server.Client.Clock.GetUtcNow();
        var from = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-2);
        return (from.ToString("O"), from.AddHours(1).ToString("O"));
    }

    [Fact]
    public async Task Next_answers_each_trigger_in_words_with_times_in_its_zone_and_in_utc()
    {
        var next = JsonNode.Parse(await _server.Http.GetStringAsync("/api/jobs/report/next?count=2"))!;

        var trigger = next["triggers"]![0]!;
        Assert.Equal("At 09:00, Monday to Friday, Europe/Paris", trigger["description"]!.GetValue<string>());
        var times = trigger["times"]!.AsArray();
        Assert.Equal(2, times.Count);
        var at = DateTimeOffset.Parse(times[0]!["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(9, at.Hour);
        Assert.Equal(at, DateTimeOffset.Parse(times[0]!["utc"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("Z", times[0]!["utc"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/api/jobs/report/next?count=0", HttpStatusCode.BadRequest, "ask for 1 to 100")]
    [InlineData("/api/jobs/report/next?count=many", HttpStatusCode.BadRequest, "count")]
    [InlineData("/api/jobs/ghost/next", HttpStatusCode.NotFound, "job 'ghost' does not exist")]
    public async Task Next_refuses_bad_input_with_a_reason(string path, HttpStatusCode status, string expected)
    {
        using var response = await _server.Http.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_cli_prints_a_paused_jobs_schedule_and_says_it_is_paused()
    {
        var (exit, output, error) = await CliAsync("jobs", "next", "resting", "--count", "2");

        Assert.True(exit == 0, error);
        Assert.Contains("job resting is paused", output);
        Assert.Contains("(cron): Every 15 minutes, UTC", output);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("  20", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_backfill_through_the_cli_enqueues_each_time_once_and_says_how_many_existed()
    {
        var (from, to) = PastHour();

        var first = await CliAsync("jobs", "backfill", "quarter", "--from", from, "--to", to);
        var again = await CliAsync("jobs", "backfill", "quarter", "--from", from, "--to", to, "--json");

        Assert.True(first.Exit == 0, first.Error);
        Assert.Contains("4 scheduled time(s); 4 enqueued, 0 already had a run, 0 skipped", first.Output);
        Assert.Equal(4, JsonNode.Parse(again.Output)!["existing"]!.GetValue<int>());
        var runs = await _server.Client.ListRunsAsync(new Kairos.Storage.RunQuery { JobName = "quarter" });
        Assert.Equal(4, runs.Count(r => r.Source == "backfill"));
    }

    [Theory]
    [InlineData("quarter", """{"from":"2020-01-01T00:00:00Z","to":"2021-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "the range holds 35,136 scheduled times, more than the 10,000")]
    [InlineData("quarter", """{"from":"2021-01-01T00:00:00Z","to":"2020-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "must be before to")]
    [InlineData("quarter", """{"from":"yesterday","to":"2020-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "from 'yesterday' is not an ISO-8601 time")]
    [InlineData("quarter", """{"from":"2020-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "the body needs from and to")]
    [InlineData("quarter", """{"from":"2020-01-01T00:00:00Z","to":"2020-01-01T01:00:00Z","overlap":"buffer"}""", HttpStatusCode.BadRequest, "overlap 'buffer' is not allow-all or skip")]
    [InlineData("resting", """{"from":"2020-01-01T00:00:00Z","to":"2020-01-01T01:00:00Z"}""", HttpStatusCode.Conflict, "job 'resting' is paused")]
    [InlineData("ghost", """{"from":"2020-01-01T00:00:00Z","to":"2020-01-01T01:00:00Z"}""", HttpStatusCode.NotFound, "job 'ghost' does not exist")]
    public async Task Backfill_refuses_bad_input_with_a_reason(string job, string body, HttpStatusCode status, string expected)
    {
        var (actual, problem) = await BackfillAsync(job, body);

        Assert.Equal(status, actual);
        Assert.Contains(expected, problem!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_cli_refuses_a_backfill_without_a_range_before_asking_the_server()
    {
        var (exit, _, error) = await CliAsync("jobs", "backfill", "quarter", "--from", "2020-01-01T00:00:00Z");

        Assert.Equal(2, exit);
        Assert.Contains("missing --to TIME", error);
    }
}
