using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Executors;
using Kairos.Hosting;
using Kairos.Model;
using Kairos.Webhooks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Options, handlers and jobs on an <see cref="IKairosBuilder"/>.</summary>
public static class KairosBuilderExtensions
{
    /// <summary>Changes <see cref="KairosOptions"/>; runs before the options are validated at start.</summary>
    public static IKairosBuilder Configure(this IKairosBuilder builder, Action<KairosOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Registers <typeparamref name="THandler"/> (transient) as the handler named <paramref name="name"/>.</summary>
    public static IKairosBuilder AddHandler<THandler>(this IKairosBuilder builder, string name)
        where THandler : class, IJobHandler
    {
        AddName(builder, name);
        builder.Services.AddKeyedTransient<IJobHandler, THandler>(name);
        return builder;
    }

    /// <summary>Registers a delegate as the handler named <paramref name="name"/>.</summary>
    public static IKairosBuilder AddHandler(this IKairosBuilder builder, string name, Func<JobContext, Task<JsonNode?>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        AddName(builder, name);
        builder.Services.AddKeyedSingleton<IJobHandler>(name, new DelegateJobHandler(handler));
        return builder;
    }

    /// <summary>A handler name is the key jobs find it by: it must be given, and given once (a second one would silently win).</summary>
    private static void AddName(IKairosBuilder builder, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var handlers = Handlers(builder);
        if (handlers.Contains(name))
        {
            throw new ArgumentException($"a handler named '{name}' is already registered", nameof(name));
        }
        handlers.Add(name);
    }

    /// <summary>
    /// Registers the handlers every Kairos server has: <c>noop</c>, <c>echo</c> (returns its payload),
    /// <c>sleep</c> (waits payload.ms, default 1000) and <c>fail</c> (throws payload.message); for
    /// examples, smoke tests and benchmarks.
    /// </summary>
    public static IKairosBuilder AddBuiltInHandlers(this IKairosBuilder builder) => Kairos.Executors.Handler.BuiltInHandlers.AddTo(builder);

    /// <summary>
    /// Declares the job <paramref name="name"/>, run in process by <typeparamref name="THandler"/>
    /// (registered as the handler of the same name), with its triggers and policies:
    /// <c>j => j.Cron("0 9 * * MON-FRI", "Europe/Paris").Retry(5).Timeout(TimeSpan.FromMinutes(10))</c>.
    /// Saved when the engine starts.
    /// </summary>
    public static IKairosBuilder AddJob<THandler>(this IKairosBuilder builder, string name, Action<KairosJobBuilder>? configure = null)
        where THandler : class, IJobHandler =>
        builder.AddHandler<THandler>(name).AddJob(name, new HandlerExecutorSpec(name), configure);

    /// <summary>Declares the job <paramref name="name"/> run by <paramref name="executor"/> (a handler, command or HTTP request), with its triggers and policies.</summary>
    public static IKairosBuilder AddJob(this IKairosBuilder builder, string name, ExecutorSpec executor, Action<KairosJobBuilder>? configure = null)
    {
        var job = new KairosJobBuilder(name, executor);
        configure?.Invoke(job);
        builder.AddJob(job.Build());
        foreach (var subscription in job.Subscriptions)
        {
            builder.AddSubscription(subscription);
        }
        return builder;
    }

    /// <summary>Declares a job from its full definition; saved when the engine starts.</summary>
    public static IKairosBuilder AddJob(this IKairosBuilder builder, JobDefinition job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return builder.Configure(o => o.Jobs.Add(job));
    }

    /// <summary>Declares a webhook (jobs bind to it with <see cref="KairosJobBuilder.Webhook"/>); saved when the engine starts.</summary>
    public static IKairosBuilder AddWebhook(this IKairosBuilder builder, WebhookDefinition hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return builder.Configure(o => o.Webhooks.Add(hook));
    }

    /// <summary>Declares a subscription: published events matching it enqueue its job. Saved at start, after the jobs.</summary>
    public static IKairosBuilder AddSubscription(this IKairosBuilder builder, Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return builder.Configure(o => o.Subscriptions.Add(subscription));
    }

    /// <summary>The registry AddKairos made for these services (AddKairos finds it again), whoever implements the builder.</summary>
    private static Kairos.Executors.Handler.HandlerRegistry Handlers(IKairosBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return ((KairosBuilder)builder.Services.AddKairos()).Handlers;
    }

    private sealed class DelegateJobHandler(Func<JobContext, Task<JsonNode?>> handler) : IJobHandler
    {
        public Task<JsonNode?> ExecuteAsync(JobContext context) => handler(context);
    }
}
