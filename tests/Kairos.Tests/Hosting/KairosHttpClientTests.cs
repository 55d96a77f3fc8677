using System.Collections.Concurrent;
using System.Net;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Storage;
using Kairos.Tests.Support;

namespace Kairos.Tests.Hosting;

/// <summary>HTTP jobs and HTTP polls send through the factory's "Kairos" client, so an app can swap its handler.</summary>
public sealed class KairosHttpClientTests
{
    /// <summary>Answers every request 200 with a small JSON body and records its URL; nothing leaves the process.</summary>
    private sealed class RecordingHandler : HttpMessageHandler
    {
        public ConcurrentQueue<string> Urls { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Urls.Enqueue(request.RequestUri!.ToString());
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"ok":true}""") });
        }
    }

    [Fact]
    public async Task An_http_job_and_an_http_poll_use_the_handler_configured_on_the_Kairos_client()
    {
        var handler = new RecordingHandler();
        await using var t = KairosTestHost.Build(
            k => k
                .AddJob("ping", new HttpExecutorSpec("GET", "http://kairos.invalid/ping"))
                .AddJob("when-ready", new HttpExecutorSpec("GET", "http://kairos.invalid/go"), j => j
                    .Trigger(new PollTriggerSpec { Http = new HttpPollSpec("http://kairos.invalid/ready") { Status = 200 }, Interval = TimeSpan.FromMinutes(1) })),
            services => services.AddHttpClient(KairosHttp.ClientName).ConfigurePrimaryHttpMessageHandler(() => handler));
        await t.StartAsync();

        var run = await t.Client.RunNowAsync("ping");

        await Eventually.TrueAsync(async () => (await t.Client.GetRunAsync(run.RunId))!.State == RunState.Succeeded, "the ping run to succeed");
        await Eventually.TrueAsync(
            async () => (await t.Client.ListRunsAsync(new RunQuery { JobName = "when-ready", State = RunState.Succeeded })).Count == 1,
            "the poll to fire a run that succeeds");
        Assert.Equal(
            ["http://kairos.invalid/go", "http://kairos.invalid/ping", "http://kairos.invalid/ready"],
            handler.Urls.Distinct().Order());
        Assert.Equal(Timeout.InfiniteTimeSpan, t.Host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(KairosHttp.ClientName).Timeout);
    }
}
