using Kairos.Hosting;
using Kairos.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Kairos.Polling;

/// <summary>
/// Finds the <see cref="IPollTrigger"/> for a poll trigger: the built-in HTTP or SQL poller, or the
/// one registered under the trigger's name (resolved from the host's services on first use, so a
/// poller may depend on the engine).
/// </summary>
internal sealed class PollerResolver(IServiceProvider services, KairosOptions options, Secrets.SecretResolver secrets)
{
    /// <summary>The interval of a registered poller that could not be resolved, until it can.</summary>
    public static readonly TimeSpan FallbackInterval = TimeSpan.FromMinutes(1);

    private IReadOnlyDictionary<string, IPollTrigger>? _registered;

    public IPollTrigger Resolve(PollTriggerSpec spec) => spec switch
    {
        { Http: { } http } => new HttpPoller(http, spec.Interval ?? FallbackInterval, services.GetRequiredService<IHttpClientFactory>(), secrets),
        { Sql: { } sql } => new SqlPoller(sql, spec.Interval ?? FallbackInterval, options.SqlPollProviders),
        { Poller: { } name } => Registered().TryGetValue(name, out var poller)
            ? poller
            : throw new InvalidOperationException($"no poll trigger named '{name}' is registered: call AddPollTrigger<T>() on AddKairos() in the host"),
        _ => throw new InvalidOperationException("the poll trigger names no poller, http or sql"),
    };

    /// <summary>How often the trigger polls: its own interval, else its poller's.</summary>
    public TimeSpan Interval(PollTriggerSpec spec)
    {
        if (spec.Interval is { } interval)
        {
            return interval;
        }
        try
        {
            return Resolve(spec).Interval is { Ticks: > 0 } own ? own : FallbackInterval;
        }
        catch (Exception)
        {
            return FallbackInterval; // The poll itself reports why.
        }
    }

    private IReadOnlyDictionary<string, IPollTrigger> Registered()
    {
        if (_registered is { } registered)
        {
            return registered;
        }
        var all = services.GetServices<IPollTrigger>();
        var byName = new Dictionary<string, IPollTrigger>(StringComparer.Ordinal);
        foreach (var poller in all)
        {
            byName[poller.Name] = poller; // The last registration of a name wins, as in DI.
        }
        return _registered = byName;
    }
}
