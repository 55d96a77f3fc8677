using Microsoft.Extensions.Options;

namespace Kairos.Hosting;

/// <summary>
/// Checks <see cref="KairosOptions"/> when the host starts (<c>ValidateOnStart</c>) and again after the
/// YAML file's engine section applied on top. Each message names its field as the YAML file does,
/// so one failed start lists everything to fix.
/// </summary>
internal sealed class KairosOptionsValidator : IValidateOptions<KairosOptions>
{
    /// <summary>Longest lease, recheck or grace: timers cannot wait beyond ~49 days, and a day is already far past any sensible value.</summary>
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, KairosOptions options)
    {
        var errors = Errors(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every field out of range.</summary>
    public static void ThrowIfInvalid(KairosOptions options)
    {
        var result = new KairosOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(KairosOptions), result.Failures);
        }
    }

    private static IEnumerable<string> Errors(KairosOptions o)
    {
        if (o.StoreFactory is null)
        {
            yield return "store: none chosen; call UseSqlite(path) or UsePostgres(connectionString) on AddKairos()";
        }
        if (o.Workers is < 0 or > 4096)
        {
            yield return $"workers must be 0–4096, not {o.Workers}";
        }
        if (string.IsNullOrWhiteSpace(o.NodeId))
        {
            yield return "nodeId must not be empty";
        }
        foreach (var (field, value) in new[] { ("leaseDuration", o.LeaseDuration), ("leaderLease", o.LeaderLease), ("idleRecheck", o.IdleRecheck) })
        {
            if (value <= TimeSpan.Zero || value > MaxDuration)
            {
                yield return $"{field} must be positive and at most {MaxDuration}, not {value}";
            }
        }
        foreach (var (field, value) in new[] { ("misfireThreshold", o.MisfireThreshold), ("shutdownGrace", o.ShutdownGrace) })
        {
            if (value < TimeSpan.Zero || value > MaxDuration)
            {
                yield return $"{field} must be between 0 and {MaxDuration}, not {value}";
            }
        }
        if (o.MaxMisfireFires < 1)
        {
            yield return $"maxMisfireFires must be at least 1, not {o.MaxMisfireFires}";
        }
        foreach (var (field, limits) in new[] { ("queues", o.QueueLimits), ("executorLimits", o.ExecutorLimits) })
        {
            foreach (var (key, limit) in limits.Where(l => l.Value < 0))
            {
                yield return $"{field}.{key} must not be negative, not {limit}";
            }
        }
        foreach (var (ns, limits) in o.Namespaces)
        {
            if (Access.Namespaces.Check(ns) is { } error)
            {
                yield return $"namespaces: {error}";
            }
            if (limits.MaxRunning is < 0 or > NamespaceOptions.MaxLimit)
            {
                yield return $"namespaces.{ns}.maxRunning must be 0–{NamespaceOptions.MaxLimit}, not {limits.MaxRunning}";
            }
        }
        foreach (var error in o.OutboundHttpAllow.Select(Executors.Http.OutboundHttpPolicy.Error).OfType<string>())
        {
            yield return error;
        }
        foreach (var error in o.SecretKeys.Select(Secrets.SecretCipher.KeyError).OfType<string>().Take(1))
        {
            yield return "secretKeys: " + error;
        }
        foreach (var (name, source) in o.DeclaredSecrets)
        {
            if (Secrets.SecretResolver.SourceError(source) is { } error)
            {
                yield return $"declaredSecrets.{name}: {error}";
            }
        }
        foreach (var error in o.Retention.Errors())
        {
            yield return error;
        }
    }
}
