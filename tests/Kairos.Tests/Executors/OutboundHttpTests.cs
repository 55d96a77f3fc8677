using Kairos.Executors;
using Kairos.Hosting;
using Kairos.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Kairos.Tests.Executors;

/// <summary>
/// HTTP jobs and polls send through the "Kairos" client, whose connect step refuses loopback,
/// link-local and unlisted addresses: the http job read an internal URL's body.
/// </summary>
public sealed class OutboundHttpTests
{
    private readonly TestLog _log = new();

    private static ServiceProvider Services(params string[] allow)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddKairos(o => o.OutboundHttpAllow.AddRange(allow)).UseInMemory();
        return services.BuildServiceProvider();
    }

    private async Task<ExecutionResult> GetAsync(ServiceProvider services, string url) =>
        await services.GetServices<IJobExecutor>().OfType<HttpExecutor>().Single()
            .ExecuteAsync(Contexts.For(new HttpExecutorSpec("GET", url), _log), CancellationToken.None);

    [Fact]
    public async Task A_job_cannot_read_a_loopback_service_unless_it_is_listed()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 200, """{"secret":"internal"}""", "application/json"));
        await using var closed = Services();
        await using var listed = Services("127.0.0.1");

        var refused = await GetAsync(closed, server.BaseUrl + "/admin");
        var allowed = await GetAsync(listed, server.BaseUrl + "/admin");

        Assert.False(refused.Succeeded);
        Assert.False(refused.Retryable);
        Assert.Contains("loopback", refused.Error);
        Assert.Contains("engine.outboundHttp.allow", refused.Error);
        Assert.Null(refused.Output);
        Assert.True(allowed.Succeeded, allowed.Error);
        Assert.Contains("internal", allowed.Output);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://[::1]:1/", "loopback")]
    [InlineData("http://localhost:1/", "loopback")]
    [InlineData("http://0.0.0.0:1/", "unspecified")]
    [InlineData("http://[::ffff:127.0.0.1]:1/", "loopback")]
    public async Task Cloud_metadata_and_names_that_resolve_to_loopback_are_refused_before_connecting(string url, string kind)
    {
        await using var services = Services();

        var result = await GetAsync(services, url);

        Assert.False(result.Succeeded);
        Assert.Contains(kind, result.Error);
    }

    [Fact]
    public async Task With_an_allow_list_only_what_it_names_is_reachable()
    {
        await using var server = new TestHttpServer(c => TestHttpServer.RespondAsync(c, 200, "{}", "application/json"));
        await using var services = Services("127.0.0.0/8", "*.example.org");
        await using var other = Services("10.0.0.0/8");

        Assert.True((await GetAsync(services, server.BaseUrl + "/")).Succeeded);
        var refused = await GetAsync(other, server.BaseUrl + "/");
        Assert.Contains("loopback", refused.Error);
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("")]
    [InlineData("host name")]
    [InlineData("10.0.0.0/x")]
    public void A_bad_entry_stops_the_engine_from_starting_with_what_is_wrong(string entry)
    {
        using var services = Services(entry);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<KairosOptions>>().Value);
        Assert.Contains("outboundHttp.allow", error.Message);
    }
}
