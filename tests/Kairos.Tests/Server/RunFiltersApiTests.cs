using System.Net;
using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Server;

/// <summary><c>GET /api/runs?source=&amp;from=&amp;to=</c> over real HTTP, on a clock the test moves: what fired a run and when it was created.</summary>
public sealed class RunFiltersApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _clock = new(T0);
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("""
        jobs:
          nap:
            handler: echo
            paused: true
        """, s => s.Services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<long> EnqueueAsync(string source)
    {
        var run = await _server.Client.EnqueueAsync(new RunRequest("nap", source));
        _clock.Advance(TimeSpan.FromMinutes(1));
        return run.RunId;
    }

    private async Task<List<long>> ListAsync(string query)
    {
        using var response = await _server.Http.GetAsync("/api/runs?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray().Select(r => r!["id"]!.GetValue<long>()).ToList();
    }

    [Fact]
    public async Task Runs_are_listed_by_what_fired_them_and_when_they_were_created()
    {
        var first = await EnqueueAsync(TriggerSources.Webhook);
        var cron = await EnqueueAsync(TriggerSources.Cron);
        var second = await EnqueueAsync(TriggerSources.Webhook);

        Assert.Equal([second, first], await ListAsync("source=webhook"));
        Assert.Equal([second], await ListAsync("source=webhook&from=2026-12-07T09:01:00Z"));
        Assert.Equal([cron, first], await ListAsync("to=2026-12-07T09:02:00Z"));
        // An instant without an offset is UTC; one with an offset is that instant.
        Assert.Equal([cron], await ListAsync("from=2026-12-07T09:01:00&to=2026-12-07T10:02:00%2B01:00"));
        // since: back from the server's clock (now T0 + 3m).
        Assert.Equal([second, cron], await ListAsync("since=2m"));
    }

    [Theory]
    [InlineData("from=yesterday", "from 'yesterday' is not an instant")]
    [InlineData("to=2026-13-01", "to '2026-13-01' is not an instant")]
    [InlineData("from=2026-12-07T10:00:00Z&to=2026-12-07T09:00:00Z", "is after to")]
    [InlineData("since=1h&from=2026-12-07T09:00:00Z", "not both")]
    [InlineData("since=lately", "since 'lately' is not a duration")]
    [InlineData("source=pigeon", "source 'pigeon' is unknown: use one of backfill, completion, cron")]
    public async Task A_filter_that_is_not_one_is_a_problem_naming_the_parameter(string query, string says)
    {
        using var response = await _server.Http.GetAsync("/api/runs?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(says, await response.Content.ReadAsStringAsync());
    }
}
