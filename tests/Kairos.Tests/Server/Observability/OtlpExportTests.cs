using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Kairos.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Server.Observability;

/// <summary>
/// <c>telemetry.otlp</c>: a server sends its metrics and spans to an OTLP collector over HTTP
/// (protobuf). The collector here is a loopback endpoint that keeps what it is sent; the server
/// flushes both when it stops, so the test waits for no export interval.
/// </summary>
public sealed class OtlpExportTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<byte[]>> _received = new();
    private WebApplication _collector = null!;
    private string _collectorUrl = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _collector = builder.Build();
        _collector.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            _received.GetOrAdd(signal, _ => new()).Enqueue(body.ToArray());
            return Results.Ok();
        });
        await _collector.StartAsync();
        _collectorUrl = _collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync() => await _collector.DisposeAsync();

    [Fact]
    public async Task Runs_reach_the_collector_as_the_kairos_metrics_and_run_spans()
    {
        var server = await InProcessServer.StartAsync($"""
            telemetry:
              otlp:
                endpoint: {_collectorUrl}
                protocol: http/protobuf
            jobs:
              exported-job:
                handler: echo
            """);
        await using (server)
        {
            using var run = await server.Http.PostAsync("/api/jobs/exported-job/run?wait=10s", new StringContent("{}"));
            Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        }

        Assert.True(Sent("metrics", "kairos.runs.finished"), "no metrics export named kairos.runs.finished");
        Assert.True(Sent("metrics", "exported-job"), "the metrics export does not name the job");
        Assert.True(Sent("traces", "kairos.run"), "no span export named kairos.run");
        Assert.True(Sent("traces", "exported-job"), "the span export does not name the job");
    }

    [Fact]
    public void An_endpoint_that_is_not_a_URL_is_refused_at_load_with_its_position()
    {
        var error = Assert.Throws<Kairos.Configuration.KairosConfigException>(() =>
            Kairos.Configuration.YamlConfigLoader.Load("telemetry:\n  otlp:\n    endpoint: collector:4317\n    protocol: udp\n", "kairos.yaml", null));

        Assert.Contains("kairos.yaml:3:15: telemetry.otlp.endpoint 'collector:4317' is not an http:// or https:// URL", error.Message);
        Assert.Contains("kairos.yaml:4:15: telemetry.otlp.protocol 'udp' is not one of grpc, http/protobuf", error.Message);
    }

    /// <summary>Whether a body sent for <paramref name="signal"/> holds <paramref name="text"/> (protobuf keeps strings as UTF-8 bytes).</summary>
    private bool Sent(string signal, string text) =>
        _received.TryGetValue(signal, out var bodies) && bodies.Any(body => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0);
}
