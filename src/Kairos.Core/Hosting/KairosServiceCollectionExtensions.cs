using Kairos.Access;
using Kairos.Client;
using Kairos.Engine;
using Kairos.Executors;
using Kairos.Executors.Handler;
using Kairos.Executors.Http;
using Kairos.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The library's front door: <c>services.AddKairos().UseSqlite("kairos.db")</c>.</summary>
public static class KairosServiceCollectionExtensions
{
    /// <summary>
    /// Adds the engine (started and stopped with the host), the built-in executors, <see cref="IKairosClient"/>
    /// (the way in for the app), the <c>"kairos"</c> health check and the <c>"Kairos"</c> HTTP client.
    /// <see cref="KairosOptions"/> are validated when the host starts; a store is required. Calling it
    /// again returns a builder over the same registrations.
    /// </summary>
    public static IKairosBuilder AddKairos(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(HandlerRegistry) && d.ImplementationInstance is not null);
        if (existing?.ImplementationInstance is HandlerRegistry known)
        {
            return new KairosBuilder(services, known);
        }
        var handlers = new HandlerRegistry();
        services.AddSingleton(handlers);
        services.AddOptions<KairosOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KairosOptions>, KairosOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        // Each HTTP job and poll applies its own timeout, so the client has none. Connections go
        // only where engine.outboundHttp.allow lets them (see OutboundHttpPolicy).
        services.AddHttpClient(KairosHttp.ClientName)
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                ConnectCallback = new GuardedConnector(OutboundHttpPolicy.From(sp.GetRequiredService<IOptions<KairosOptions>>().Value.OutboundHttpAllow)).ConnectAsync,
            });
        services.AddSingleton<IJobExecutor>(sp => new HandlerExecutor(sp, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IJobExecutor, CommandExecutor>();
        services.AddSingleton<IJobExecutor, Kairos.Workflows.WorkflowExecutor>();
        services.AddSingleton<IJobExecutor>(sp => new HttpExecutor(sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<KairosOptions>>().Value;
            return new KairosEngine(
                options.StoreFactory!(sp, options.NodeId),
                options,
                sp.GetServices<IJobExecutor>(),
                handlers,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>(),
                sp);
        });
        services.AddSingleton<IKairosClient>(sp => new KairosClient(sp.GetRequiredService<KairosEngine>(), KairosCaller.System));
        services.AddHostedService<KairosHostedService>();
        services.AddHealthChecks().AddCheck<KairosHealthCheck>(KairosHealthCheck.Name);
        return new KairosBuilder(services, handlers);
    }

    /// <summary>Adds Kairos as <see cref="AddKairos(IServiceCollection)"/> does, then configures its options.</summary>
    public static IKairosBuilder AddKairos(this IServiceCollection services, Action<KairosOptions> configure) =>
        services.AddKairos().Configure(configure);
}
