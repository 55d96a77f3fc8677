using Kairos.Engine;
using Kairos.Executors.Handler;
using Kairos.Hosting;
using Kairos.Storage.Postgres;
using Kairos.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kairos.Tests.Engine.Cluster;

/// <summary>
/// One in-process node on a PostgreSQL schema, on a real clock (or one set off on purpose):
/// leases, NOTIFY and the database clock are about real time. Started on creation, stopped on dispose.
/// </summary>
internal sealed class PostgresNode : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private PostgresNode(ServiceProvider services) => _services = services;

    public KairosEngine Engine => _services.GetRequiredService<KairosEngine>();

    public static async Task<PostgresNode> StartAsync(string schema, string nodeId, Action<KairosOptions>? configure = null,
        Action<IKairosBuilder>? handlers = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(time ?? TimeProvider.System);
        var kairos = services.AddKairos(o =>
            {
                o.NodeId = nodeId;
                o.ShutdownGrace = TimeSpan.Zero;
                configure?.Invoke(o);
            })
            .UsePostgres(PostgresFactAttribute.ConnectionString!, schema)
            .AddBuiltInHandlers();
        handlers?.Invoke(kairos);
        var node = new PostgresNode(services.BuildServiceProvider());
        await node.Engine.InitializeAsync(CancellationToken.None);
        await node.Engine.StartAsync(CancellationToken.None);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }
}
