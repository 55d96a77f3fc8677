using System.Text.Json.Nodes;
using Kairos.Cli;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary><c>GET /api/jobs</c> answers one page at a time in name order, and <c>kairos jobs list</c> follows the cursor to the end.</summary>
public sealed class JobsPagingTests : IAsyncLifetime
{
    private const int Jobs = 1001; // One more than the largest page, so the CLI must ask twice.
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync("jobs: {}\n");
        await Task.WhenAll(Enumerable.Range(0, Jobs).Select(i =>
            _server.Client.SaveJobAsync(new JobDefinition { Name = $"job-{i:D4}", Executor = new HandlerExecutorSpec("noop") })));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<List<string>> NamesAsync(string query) =>
        JsonNode.Parse(await _server.Http.GetStringAsync("/api/jobs" + query))!.AsArray().Select(j => j!["name"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Pages_hold_100_jobs_by_default_and_continue_after_the_last_name()
    {
        var first = await NamesAsync("");
        var next = await NamesAsync("?limit=3&after=" + first[^1]);
        var last = await NamesAsync("?limit=1000&after=job-0990");

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"job-{i:D4}"), first);
        Assert.Equal(["job-0100", "job-0101", "job-0102"], next);
        Assert.Equal(10, last.Count);
        Assert.Equal("job-1000", last[^1]);
    }

    [Fact]
    public async Task Pages_of_a_namespace_hold_only_its_jobs_and_continue_after_the_name_they_show()
    {
        foreach (var name in new[] { "billing/b", "billing/a", "billing2/a" })
        {
            await _server.Client.SaveJobAsync(new JobDefinition { Name = name, Executor = new HandlerExecutorSpec("noop") });
        }

        var first = await NamesAsync("?namespace=billing&limit=1");
        var second = await NamesAsync("?namespace=billing&limit=5&after=" + Uri.EscapeDataString(first[^1]));

        Assert.Equal(["billing/a"], first);
        Assert.Equal(["billing/b"], second);
    }

    [Fact]
    public async Task Jobs_list_on_the_command_line_shows_every_job()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await KairosCli.RunAsync(["jobs", "list", "--server", _server.Url], output, error);

        Assert.True(exit == 0, error.ToString());
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Jobs, lines.Count(l => l.StartsWith("job-", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("job-1000 ", StringComparison.Ordinal));
    }
}
