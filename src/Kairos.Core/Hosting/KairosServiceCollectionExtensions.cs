using System.Text.Json.Nodes;
using Kairos.Client;
using Kairos.Engine;
using Kairos.Executors;
using Kairos.Executors.Handler;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kairos.Hosting;

/// <summary>Library entry points: <c>services.AddKairos(o => o.UseSqlite("kairos.db"))</c> and handler registration.</summary>
public static class KairosServiceCollectionExtensions
{
    /// <summary>Adds the engine (started and stopped with the host), the built-in executors and <see cref="IKairosClient"/>, the way in for the app.</summary>
    public static IServiceCollection AddKairos(this IServiceCollection services, Action<KairosOptions> configure)
    {
        var options = new KairosOptions();
        configure(options);
        if (options.StoreFactory is null)
        {
            throw new InvalidOperationException("Kairos needs a store: call o.UseSqlite(\"kairos.db\") in AddKairos.");
        }
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HandlerRegistry>(_ => new HandlerRegistry());
        services.AddSingleton<IJobExecutor>(sp => new HandlerExecutor(sp, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IJobExecutor, CommandExecutor>();
        // The HTTP executor applies each job's own request timeout, so the client itself has none.
        services.AddSingleton<IJobExecutor>(sp => new HttpExecutor(
            new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan }, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<KairosEngine>(sp => new KairosEngine(
            options.StoreFactory(sp, options.NodeId),
            options,
            sp.GetServices<IJobExecutor>(),
            sp.GetRequiredService<HandlerRegistry>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp));
        services.AddSingleton<IKairosClient>(sp => new KairosClient(sp.GetRequiredService<KairosEngine>()));
        services.AddHostedService<KairosHostedService>();
        return services;
    }

    /// <summary>Registers <typeparamref name="THandler"/> as the handler named <paramref name="name"/>.</summary>
    public static IServiceCollection AddKairosHandler<THandler>(this IServiceCollection services, string name)
        where THandler : class, IJobHandler
    {
        Registry(services).Add(name);
        services.AddKeyedTransient<IJobHandler, THandler>(name);
        return services;
    }

    /// <summary>Registers a delegate as the handler named <paramref name="name"/>.</summary>
    public static IServiceCollection AddKairosHandler(this IServiceCollection services, string name, Func<JobContext, Task<JsonNode?>> handler)
    {
        Registry(services).Add(name);
        services.AddKeyedSingleton<IJobHandler>(name, new DelegateJobHandler(handler));
        return services;
    }

    private static HandlerRegistry Registry(IServiceCollection services)
    {
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(HandlerRegistry) && d.ImplementationInstance is not null);
        if (existing?.ImplementationInstance is HandlerRegistry registry)
        {
            return registry;
        }
        registry = new HandlerRegistry();
        services.RemoveAll<HandlerRegistry>();
        services.AddSingleton(registry);
        return registry;
    }

    private sealed class DelegateJobHandler(Func<JobContext, Task<JsonNode?>> handler) : IJobHandler
    {
        public Task<JsonNode?> ExecuteAsync(JobContext context) => handler(context);
    }

    /// <summary>Ties the engine to the host's lifetime.</summary>
    private sealed class KairosHostedService(KairosEngine engine) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await engine.InitializeAsync(cancellationToken).ConfigureAwait(false);
            await engine.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        public Task StopAsync(CancellationToken cancellationToken) => engine.StopAsync(cancellationToken);
    }
}
