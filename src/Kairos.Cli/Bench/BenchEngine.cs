using Kairos.Engine;
using Kairos.Executors.Handler;
using Kairos.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kairos.Cli.Bench;

/// <summary>
/// An engine built in-process exactly as a library user builds one (ServiceCollection, AddKairos,
/// UseSqlite or UsePostgres, the built-in handlers) and started through its hosted service, with
/// shipped settings except those a scenario names (and, on PostgreSQL, the pool size of engines
/// sharing the server: see <see cref="BenchDatabase.UseIn"/>). Log warnings and errors go to
/// stderr, so stdout keeps its one JSON line.
/// </summary>
internal sealed class BenchEngine : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IReadOnlyList<IHostedService> _hosted;

    private BenchEngine(ServiceProvider services)
    {
        _services = services;
        _hosted = services.GetServices<IHostedService>().ToList();
        Engine = services.GetRequiredService<KairosEngine>();
    }

    public KairosEngine Engine { get; }

    public static async Task<BenchEngine> StartAsync(
        BenchDatabase database,
        Action<KairosOptions>? configure = null,
        Action<IKairosBuilder>? handlers = null,
        int nodes = 1)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b
            .SetMinimumLevel(LogLevel.Warning)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        var kairos = database.UseIn(services.AddKairos(o => configure?.Invoke(o)), nodes).AddBuiltInHandlers();
        handlers?.Invoke(kairos);
        var engine = new BenchEngine(services.BuildServiceProvider());
        foreach (var hosted in engine._hosted)
        {
            await hosted.StartAsync(CancellationToken.None);
        }
        return engine;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _hosted.Reverse())
        {
            await hosted.StopAsync(CancellationToken.None);
        }
        await _services.DisposeAsync();
    }
}
