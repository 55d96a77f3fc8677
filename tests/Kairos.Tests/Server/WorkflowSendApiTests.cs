using System.Net;
using System.Text;
using Kairos.Model;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server;

/// <summary><c>kairos workflows send</c> and its endpoint on the real server: data delivered by hand to a step that waits for an event.</summary>
public sealed class WorkflowSendApiTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync() => _server = await InProcessServer.StartAsync("""
        jobs:
          order:
            workflow:
              output: { amount: "{{steps.paid.output.amount}}" }
              steps:
                - id: check
                  handler: noop
                - id: paid
                  needs: [check]
                  waitForEvent: { type: payment.received, timeout: 1h }
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<HttpResponseMessage> SendAsync(long run, string step, string body) =>
        _server.Http.PostAsync($"/api/runs/{run}/workflow/steps/{step}/send", new StringContent(body, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Data_sent_to_a_waiting_step_ends_it_and_the_workflow_moves_on_and_a_step_that_does_not_wait_refuses_it()
    {
        var run = (await _server.Client.StartWorkflowAsync("order", "{}")).RunId;
        await Eventually.TrueAsync(async () => (await _server.Client.GetRunAsync(run))!.State == RunState.Waiting
            && (await _server.Client.GetWorkflowRunAsync(run)).Steps.Single(s => s.Id == "paid").State == "started", "the step to wait");

        using (var notAWait = await SendAsync(run, "check", """{"data": {}}"""))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notAWait.StatusCode);
            Assert.Contains("'check' is no waitForEvent step", await notAWait.Content.ReadAsStringAsync());
        }
        using (var noStep = await SendAsync(run, "ghost", """{"data": {}}"""))
        {
            Assert.Equal(HttpStatusCode.NotFound, noStep.StatusCode);
        }

        var sent = await CliRunner.RunAsync(["workflows", "send", run.ToString(System.Globalization.CultureInfo.InvariantCulture), "paid", "--data", """{"amount": 40}""", "--server", _server.Url]);
        Assert.True(sent.Exit == 0, sent.Error);
        Assert.Contains("step 'paid' of workflow run", sent.Output);

        var ended = await _server.Client.WaitForRunAsync(run, TimeSpan.FromSeconds(15));
        Assert.Equal((RunState.Succeeded, """{"amount":40}"""), (ended!.State, ended.Output));
        using var again = await SendAsync(run, "paid", """{"data": {"amount": 1}}""");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("step 'paid' is succeeded in a workflow that is succeeded", await again.Content.ReadAsStringAsync());
    }
}
