using Kairos.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Tests.Support;

/// <summary>
/// The real server (engine, SQLite file, Kestrel) in the test process on a free loopback port, so
/// tests speak real HTTP without the cost of a child process. Crash tests use a child process instead.
/// </summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly bool _ownsDirectory;
    private readonly WebApplication _app;

    private InProcessServer(TempDirectory directory, bool ownsDirectory, WebApplication app, string url)
    {
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        _app = app;
        Url = url;
        Http = new HttpClient { BaseAddress = new Uri(url) };
    }

    public string Url { get; }
    public HttpClient Http { get; }

    /// <summary>Where the server's config and database live.</summary>
    public TempDirectory Directory => _directory;
    public IServiceProvider Services => _app.Services;
    public Kairos.Engine.KairosEngine Engine => _app.Services.GetRequiredService<Kairos.Engine.KairosEngine>();

    /// <summary>The client the server's endpoints use.</summary>
    public Kairos.Client.IKairosClient Client => _app.Services.GetRequiredService<Kairos.Client.IKairosClient>();

    /// <param name="directory">Where the config and database live; pass the same one to restart on the same database (it is then not deleted on dispose).</param>
    /// <param name="database">What <c>kairos serve --db</c> would be given; the SQLite file in <paramref name="directory"/> by default.</param>
    public static async Task<InProcessServer> StartAsync(string yaml, Action<IKairosBuilder>? services = null, TempDirectory? directory = null, string? database = null)
    {
        var ownsDirectory = directory is null;
        directory ??= new TempDirectory();
        var config = directory.File("kairos.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var app = KairosServer.Build(new ServeOptions { ConfigFile = config, DatabasePath = database ?? directory.File("kairos.db"), Urls = "http://127.0.0.1:0" }, services);
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InProcessServer(directory, ownsDirectory, app, url);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsDirectory)
        {
            _directory.Dispose();
        }
    }
}
