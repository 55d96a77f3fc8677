using Kairos.Polling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kairos.Hosting;

/// <summary>Registers <see cref="IPollTrigger"/>s, which jobs name in a <c>poll: NAME</c> trigger.</summary>
public static class KairosPollTriggerExtensions
{
    /// <summary>Registers <typeparamref name="TPoller"/> (a singleton) under its own <see cref="IPollTrigger.Name"/>.</summary>
    public static IServiceCollection AddKairosPollTrigger<TPoller>(this IServiceCollection services)
        where TPoller : class, IPollTrigger
    {
        services.TryAddSingleton<TPoller>();
        services.AddSingleton<IPollTrigger>(sp => sp.GetRequiredService<TPoller>());
        return services;
    }

    /// <summary>Registers <typeparamref name="TPoller"/> (a singleton) under <paramref name="name"/> instead of its own name.</summary>
    public static IServiceCollection AddKairosPollTrigger<TPoller>(this IServiceCollection services, string name)
        where TPoller : class, IPollTrigger
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.TryAddSingleton<TPoller>();
        services.AddSingleton<IPollTrigger>(sp => new NamedPollTrigger(name, sp.GetRequiredService<TPoller>()));
        return services;
    }

    /// <summary>Registers a delegate as the poller <paramref name="name"/>, polled every <paramref name="interval"/>.</summary>
    public static IServiceCollection AddKairosPollTrigger(
        this IServiceCollection services,
        string name,
        TimeSpan interval,
        Func<PollContext, CancellationToken, Task<PollResult>> poll,
        bool allowConcurrent = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(poll);
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "a poll interval must be positive");
        }
        services.AddSingleton<IPollTrigger>(new DelegatePollTrigger(name, interval, allowConcurrent, poll));
        return services;
    }
}
