using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary>flow.cancelOn as a user meets it over real HTTP: an event published with the CLI cancels a waiting run, and <c>kairos runs show</c> says why.</summary>
public sealed class CancelOnApiTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("""
        jobs:
          ship:
            handler: echo
            flow:
              cancelOn:
                - event: order.cancelled
                  match: { data.orderId: "{{payload.orderId}}" }
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(int Exit, string Output, string Error)> CliAsync(params string[] args) => CliRunner.RunAsync([.. args, "--server", _server.Url]);

    private async Task<string> RunLaterAsync(int orderId)
    {
        using var response = await _server.Http.PostAsync("/api/jobs/ship/run?in=1h", new StringContent($$"""{"orderId":{{orderId}}}""", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["runId"]!.ToString();
    }

    [Fact]
    public async Task An_event_published_with_the_cli_cancels_the_matching_run_and_runs_show_says_why()
    {
        var doomed = await RunLaterAsync(7);
        var kept = await RunLaterAsync(8);

        var published = await CliAsync("events", "publish", "order.cancelled", "--data", """{"orderId":7}""");
        Assert.Equal(0, published.Exit);

        var shown = await CliAsync("runs", "show", doomed);
        Assert.Contains("\"state\": \"cancelled\"", shown.Output);
        Assert.Contains("cancelOn: event 1 (order.cancelled)", shown.Output);
        Assert.Contains("\"state\": \"queued\"", (await CliAsync("runs", "show", kept)).Output);
    }

    [Fact]
    public async Task A_bad_rule_over_the_api_is_a_400_naming_its_field()
    {
        using var response = await _server.Http.PutAsync("/api/jobs/bad", new StringContent(
            """{"handler":"echo","flow":{"cancelOn":[{"event":"order.cancelled","match":{"orderId":"{{payload.id}}"}}]}}""",
            Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("flow.cancelOn[0].match.orderId: 'orderId' is not a path into the event's data", await response.Content.ReadAsStringAsync());
    }
}
