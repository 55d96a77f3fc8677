using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Kairos.Tests.Support;

namespace Kairos.Tests.Server.Observability;

/// <summary>
/// The <c>Kairos</c> activity source seen by an <see cref="ActivityListener"/>, as an OpenTelemetry
/// tracer would see it: a span per run attempt, tagged with its job, linked to what fired it.
/// Listeners see every server in the process, so each test finds its own spans by trace or run id.
/// </summary>
public sealed class RunTracingTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private ActivityListener _listener = null!;
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Kairos" or "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
        _server = await InProcessServer.StartAsync("""
            webhooks:
              traced:
                verify: none
            jobs:
              first:
                handler: echo
                triggers:
                  - webhook: traced
              second:
                handler: echo
                triggers:
                  - completion: first
            """);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _listener.Dispose();
    }

    [Fact]
    public async Task A_webhook_fired_run_has_a_span_with_its_job_linked_to_the_webhook_request_and_its_chained_run_links_to_it()
    {
        using var sender = new Activity("test.send").Start(); // The request carries its trace context (traceparent).
        using var response = await _server.Http.PostAsync("/hooks/traced", new StringContent("""{"order":7}""", Encoding.UTF8, "application/json"));
        sender.Stop();
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["runIds"]![0]!.GetValue<long>();

        var request = await StoppedAsync(a => a.Source.Name == "Microsoft.AspNetCore" && a.TraceId == sender.TraceId, "the webhook request's activity");
        // Run ids are per database: the run is known by the trace its link leads to.
        var run = await StoppedAsync(a => a.OperationName == "kairos.run" && a.Links.Any(l => l.Context.TraceId == sender.TraceId), "the run's span");
        Assert.Equal(("first", runId, 1, "succeeded", "webhook"),
            (run.GetTagItem("kairos.job"), run.GetTagItem("kairos.run.id"), run.GetTagItem("kairos.run.attempt"), run.GetTagItem("kairos.run.outcome"), run.GetTagItem("kairos.run.source")));
        Assert.Equal(ActivityKind.Consumer, run.Kind);
        var link = Assert.Single(run.Links);
        Assert.Equal((request.TraceId, request.SpanId), (link.Context.TraceId, link.Context.SpanId));

        var chained = await StoppedAsync(a => a.OperationName == "kairos.run" && Equals(a.GetTagItem("kairos.job"), "second")
            && a.Links.Any(l => l.Context.SpanId == run.SpanId), "the chained run's span, linked to the first run's");
        Assert.Equal("completion", chained.GetTagItem("kairos.run.source"));
    }

    private async Task<Activity> StoppedAsync(Func<Activity, bool> match, string what)
    {
        await Eventually.TrueAsync(() => _stopped.Any(match), what);
        return _stopped.First(match);
    }
}
