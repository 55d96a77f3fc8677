using Kairos.Polling;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="IPollTrigger"/>s, which jobs name in a <c>poll: NAME</c> trigger.</summary>
public static class KairosPollTriggerBuilderExtensions
{
    /// <summary>Registers <typeparamref name="TPoller"/> (a singleton) under its own <see cref="IPollTrigger.Name"/>.</summary>
    public static IKairosBuilder AddPollTrigger<TPoller>(this IKairosBuilder builder)
        where TPoller : class, IPollTrigger
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<TPoller>();
        builder.Services.AddSingleton<IPollTrigger>(sp => sp.GetRequiredService<TPoller>());
        return builder;
    }

    /// <summary>Registers <typeparamref name="TPoller"/> (a singleton) under <paramref name="name"/> instead of its own name.</summary>
    public static IKairosBuilder AddPollTrigger<TPoller>(this IKairosBuilder builder, string name)
        where TPoller : class, IPollTrigger
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        builder.Services.TryAddSingleton<TPoller>();
        builder.Services.AddSingleton<IPollTrigger>(sp => new NamedPollTrigger(name, sp.GetRequiredService<TPoller>()));
        return builder;
    }

    /// <summary>Registers a delegate as the poller <paramref name="name"/>, polled every <paramref name="interval"/>.</summary>
    public static IKairosBuilder AddPollTrigger(
        this IKairosBuilder builder,
        string name,
        TimeSpan interval,
        Func<PollContext, CancellationToken, Task<PollResult>> poll,
        bool allowConcurrent = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(poll);
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "a poll interval must be positive");
        }
        builder.Services.AddSingleton<IPollTrigger>(new DelegatePollTrigger(name, interval, allowConcurrent, poll));
        return builder;
    }
}
