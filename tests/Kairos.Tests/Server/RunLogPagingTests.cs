using System.Net;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>
/// <c>GET /api/runs/{id}/log</c> a page at a time over real HTTP, on the log of a real process that printed thousands
/// of lines and one very long one: no request returns the whole log, the pages join up, and the CLI prints it all.
/// </summary>
public sealed class RunLogPagingTests : IAsyncLifetime
{
    private const int Lines = 6000;
    private InProcessServer _server = null!;
    private long _runId;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync($$"""
            jobs:
              chatty:
                command: ["/bin/sh", "-c", "seq 1 {{Lines - 1}}; printf '%03000d\\n' 7"]
            """);
        using var response = await _server.Http.PostAsync("/api/jobs/chatty/run?wait=60s", null);
        var run = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("succeeded", (string?)run["state"]);
        _runId = run["id"]!.GetValue<long>();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<JsonNode> PageAsync(string query)
    {
        using var response = await _server.Http.GetAsync($"/api/runs/{_runId}/log{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task One_request_never_returns_a_log_of_thousands_of_lines_whole_and_the_pages_join_up()
    {
        var first = await PageAsync("");
        Assert.Equal(1000, first["lines"]!.AsArray().Count); // The default page.
        Assert.True(first["more"]!.GetValue<bool>());
        Assert.Equal(1000, first["next"]!.GetValue<long>());
        Assert.Equal((1, "1"), (first["lines"]![0]!["number"]!.GetValue<long>(), (string?)first["lines"]![0]!["text"]));

        var texts = new List<string>();
        long after = 0;
        var requests = 0;
        while (true)
        {
            var page = await PageAsync($"?after={after}&limit=5000");
            var lines = page["lines"]!.AsArray();
            Assert.InRange(lines.Count, 0, 5000);
            texts.AddRange(lines.Select(l => (string)l!["text"]!));
            after = page["next"]!.GetValue<long>();
            requests++;
            if (!page["more"]!.GetValue<bool>())
            {
                break;
            }
        }

        Assert.Equal(2, requests);
        Assert.Equal(Lines, texts.Count);
        Assert.Equal(Enumerable.Range(1, Lines - 1).Select(n => n.ToString()), texts.Take(Lines - 1));
        Assert.StartsWith(new string('0', 2000) + " […line cut at 2000 characters]", texts[^1]);
        // At the end: nothing more, and the cursor stays where a follower asks again.
        var end = await PageAsync($"?after={Lines}");
        Assert.Equal((0, Lines, false), (end["lines"]!.AsArray().Count, end["next"]!.GetValue<long>(), end["more"]!.GetValue<bool>()));
    }

    [Theory]
    [InlineData("?limit=5001", "limit 5001 is out of range: ask for 1 to 5000")]
    [InlineData("?limit=0", "limit 0 is out of range")]
    [InlineData("?after=-1", "after -1 is not a line number")]
    public async Task A_page_out_of_bounds_is_a_400_naming_the_parameter(string query, string says)
    {
        using var response = await _server.Http.GetAsync($"/api/runs/{_runId}/log{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(says, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Kairos_runs_log_pages_through_the_whole_log()
    {
        var (exit, output, error) = await CliRunner.RunAsync(["runs", "log", _runId.ToString(), "--server", _server.Url]);

        Assert.True(exit == 0, error);
        var printed = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Lines, printed.Length);
        Assert.EndsWith("[stdout] 1", printed[0]);
        Assert.EndsWith($"[stdout] {Lines - 1}", printed[Lines - 2]);
        Assert.EndsWith("[…line cut at 2000 characters]", printed[^1]);
    }
}
