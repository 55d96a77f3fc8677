using Kairos.Access;
using Kairos.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>
/// Reads a Kairos YAML file (see docs/configuration.md). Every problem is reported with its line
/// and column, all in one pass; unknown keys are errors, so a typo never silently does nothing.
/// </summary>
internal static class YamlConfigLoader
{
    private static readonly string[] JobKeys =
        ["handler", "command", "http", "workflow", "queue", "priority", "timeout", "retry", "concurrency", "paused", "pauseAfterFailures", "triggers", "flow", "notify", "timeouts"];

    public static KairosConfig LoadFile(string path, Func<string, bool>? handlerExists = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KairosConfigException(path, [new ConfigError(1, 1, $"cannot read the file: {ex.Message}")]);
        }
        return Load(text, path, handlerExists);
    }

    public static KairosConfig Load(string text, string file, Func<string, bool>? handlerExists = null)
    {
        var yaml = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            if (YamlShape.FindProblem(new Parser(scanner)) is { } problem)
            {
                throw new KairosConfigException(file, [problem]);
            }
            scanner = new Scanner(new StringReader(text));
            yaml.Load(new Parser(scanner));
        }
        catch (YamlException ex)
        {
            var reason = ex.InnerException?.Message ?? ex.Message;
            throw new KairosConfigException(file, [new ConfigError((int)ex.Start.Line, (int)ex.Start.Column, $"malformed YAML: {Trim(reason)}")]);
        }
        catch (ArgumentException)
        {
            // YamlDotNet's node model refuses some event orders this way, e.g. an alias right after a value on its line.
            var at = scanner.CurrentPosition;
            throw new KairosConfigException(file, [new ConfigError((int)at.Line, (int)at.Column, "malformed YAML: cannot read on from here")]);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way, not with a YamlException, on some unclosed flow collections ("a: {b: c" then "d: e").
            var at = scanner.CurrentPosition;
            throw new KairosConfigException(file, [new ConfigError((int)at.Line, (int)at.Column, "malformed YAML: cannot read on from here; is a '[' or '{' above missing its closing bracket?")]);
        }
        var nodes = new YamlNodes();
        var config = yaml.Documents.Count == 0
            ? new KairosConfig(new EngineSettings(), [])
            : ReadRoot(yaml.Documents[0].RootNode, nodes, handlerExists);
        if (nodes.Errors.Count > 0)
        {
            throw new KairosConfigException(file, nodes.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }
        return config;
    }

    private static string Trim(string reason)
    {
        // YamlDotNet prefixes its own position, which the ConfigError already carries.
        var close = reason.IndexOf("): ", StringComparison.Ordinal);
        return reason.StartsWith("(Line", StringComparison.Ordinal) && close > 0 ? reason[(close + 3)..] : reason;
    }

    private static KairosConfig ReadRoot(YamlNode root, YamlNodes nodes, Func<string, bool>? handlerExists)
    {
        var fields = nodes.Fields(root, "the file", "engine", "api", "secrets", "jobs", "webhooks", "subscriptions");
        var engine = fields.TryGetValue("engine", out var engineNode) ? ReadEngine(engineNode, nodes) : new EngineSettings();
        // A name may say its namespace (billing/report); the names a definition refers to are in its namespace.
        var jobs = ReadSection(fields, "jobs", "job", nodes, (name, node) =>
            JobReader.Read(name, node, nodes, handlerExists) is { } job ? Namespaces.Into(Namespaces.Of(name), job) : null);
        var webhooks = ReadSection(fields, "webhooks", "webhook", nodes, (name, node) => WebhookReader.Read(name, node, nodes));
        var subscriptions = ReadSection(fields, "subscriptions", "subscription", nodes, (name, node) =>
            SubscriptionReader.Read(name, node, nodes) is { } subscription ? Namespaces.Into(Namespaces.Of(name), subscription) : null);
        CheckReferences(jobs, webhooks, subscriptions, nodes);
        return new KairosConfig(engine, jobs.Select(j => j.Value).ToList())
        {
            Webhooks = webhooks.Select(w => w.Value).ToList(),
            Subscriptions = subscriptions.Select(s => s.Value).ToList(),
            Api = fields.TryGetValue("api", out var apiNode) ? ReadApi(apiNode, nodes) : new ApiSettings(),
            Secrets = ReadSection(fields, "secrets", "secret", nodes, (name, node) => ReadSecret(name, node, nodes), namespaced: false).ToDictionary(s => s.Value.Name, s => s.Value.Source),
        };
    }

    /// <summary>A declared secret: <c>{ env: VARIABLE }</c> or <c>{ file: PATH }</c>, read when a run uses it.</summary>
    private static DeclaredSecret? ReadSecret(string name, YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, $"secret '{name}'", "env", "file");
        if (f.Count != 1)
        {
            nodes.Error(node, $"secret '{name}' needs exactly one of env: VARIABLE or file: PATH");
            return null;
        }
        var (kind, value) = f.Single();
        return nodes.String(value, $"secrets.{name}.{kind}") is { Length: > 0 } text ? new DeclaredSecret(name, $"{kind}:{text}") : null;
    }

    private sealed record DeclaredSecret(string Name, string Source);

    private static ApiSettings ReadApi(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "api", "allowCommandJobs", "allowedHosts", "trustedProxies", "maxBodyBytes");
        return new ApiSettings
        {
            AllowCommandJobs = f.TryGetValue("allowCommandJobs", out var a) && nodes.Bool(a, "api.allowCommandJobs") == true,
            AllowedHosts = f.TryGetValue("allowedHosts", out var h)
                ? nodes.Sequence(h, "api.allowedHosts").Select(n => nodes.String(n, "a host name in api.allowedHosts")).OfType<string>().ToList()
                : [],
            TrustedProxies = f.TryGetValue("trustedProxies", out var p) ? ReadTrustedProxies(p, nodes) : [],
            MaxBodyBytes = f.TryGetValue("maxBodyBytes", out var m)
                ? nodes.Int(m, "api.maxBodyBytes", ApiSettings.MinMaxBodyBytes, ApiSettings.MaxMaxBodyBytes) ?? ApiSettings.DefaultMaxBodyBytes
                : ApiSettings.DefaultMaxBodyBytes,
        };
    }

    private static List<System.Net.IPNetwork> ReadTrustedProxies(YamlNode node, YamlNodes nodes)
    {
        var proxies = new List<System.Net.IPNetwork>();
        foreach (var entry in nodes.Sequence(node, "api.trustedProxies"))
        {
            if (nodes.String(entry, "an api.trustedProxies entry") is not { } text)
            {
                continue;
            }
            if (TrustedProxies.Parse(text, out var error) is { } network)
            {
                proxies.Add(network);
            }
            else
            {
                nodes.Error(entry, "api.trustedProxies: " + error);
            }
        }
        return proxies;
    }

    /// <summary>Reads a section that maps names to definitions, keeping each name's node for later errors.</summary>
    private static List<(YamlNode Node, T Value)> ReadSection<T>(
        Dictionary<string, YamlNode> fields, string section, string what, YamlNodes nodes, Func<string, YamlNode, T?> read, bool namespaced = true) where T : class
    {
        var found = new List<(YamlNode, T)>();
        if (!fields.TryGetValue(section, out var sectionNode))
        {
            return found;
        }
        if (sectionNode is not YamlMappingNode map)
        {
            nodes.Error(sectionNode, $"{section} must be a mapping of {what} names to {what} definitions");
            return found;
        }
        foreach (var (nameNode, node) in map.Children)
        {
            if (nodes.Key(nameNode, $"a {what} name") is not { } name)
            {
                continue;
            }
            if ((namespaced ? JobRules.QualifiedName(name, what) : JobRules.Name(name, what)) is { } nameError)
            {
                nodes.Error(nameNode, nameError);
                continue;
            }
            if (read(name, node) is { } value)
            {
                found.Add((nameNode, value));
            }
        }
        return found;
    }

    /// <summary>Names that point elsewhere in the file must exist there, and completion chains must not loop unbounded.</summary>
    private static void CheckReferences(
        List<(YamlNode Node, JobDefinition Value)> jobs,
        List<(YamlNode Node, Webhooks.WebhookDefinition Value)> webhooks,
        List<(YamlNode Node, Events.Subscription Value)> subscriptions,
        YamlNodes nodes)
    {
        var jobNames = jobs.Select(j => j.Value.Name).ToHashSet(StringComparer.Ordinal);
        var hookNames = webhooks.Select(w => w.Value.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (node, job) in jobs)
        {
            foreach (var trigger in job.Triggers)
            {
                if (trigger is WebhookTriggerSpec hook && !hookNames.Contains(hook.Hook))
                {
                    nodes.Error(node, $"job '{job.Name}' has a webhook trigger for '{hook.Hook}', which is not declared under webhooks:");
                }
                if (trigger is CompletionTriggerSpec completion && !jobNames.Contains(completion.Job))
                {
                    nodes.Error(node, $"job '{job.Name}' runs after job '{completion.Job}', which is not declared in this file");
                }
                var reference = trigger switch { WebhookTriggerSpec h => (h.Hook, "webhook"), CompletionTriggerSpec c => (c.Job, "job"), _ => default };
                if (reference.Item1 is not null && JobRules.SameNamespace(job.Name, reference.Item1, reference.Item2) is { } crossing)
                {
                    nodes.Error(node, crossing);
                }
            }
        }
        foreach (var (node, subscription) in subscriptions)
        {
            if (!jobNames.Contains(subscription.Job))
            {
                nodes.Error(node, $"subscription '{subscription.Name}' targets job '{subscription.Job}', which is not declared in this file");
            }
            if (JobRules.SameNamespace(subscription.Name, subscription.Job, "job") is { } crossing)
            {
                nodes.Error(node, crossing);
            }
        }
        if (CompletionGraph.FindUnboundedCycle(jobs.Select(j => j.Value)) is { } cycle)
        {
            nodes.Error(jobs.First(j => j.Value.Name == cycle[^1]).Node, CompletionGraph.Describe(cycle));
        }
    }

    private static EngineSettings ReadEngine(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "engine", "workers", "leaseDuration", "leaderLease", "misfireThreshold", "shutdownGrace", "queues", "executorLimits", "namespaces", "retention", "outboundHttp");
        return new EngineSettings
        {
            Workers = f.TryGetValue("workers", out var w) ? nodes.Int(w, "engine.workers", 1, 4096) : null,
            LeaseDuration = f.TryGetValue("leaseDuration", out var l) ? nodes.Duration(l, "engine.leaseDuration") : null,
            LeaderLease = f.TryGetValue("leaderLease", out var leader) ? nodes.Duration(leader, "engine.leaderLease") : null,
            MisfireThreshold = f.TryGetValue("misfireThreshold", out var m) ? nodes.Duration(m, "engine.misfireThreshold") : null,
            ShutdownGrace = f.TryGetValue("shutdownGrace", out var s) ? nodes.Duration(s, "engine.shutdownGrace") : null,
            QueueLimits = f.TryGetValue("queues", out var q) ? Limits(q, "engine.queues", nodes) : new Dictionary<string, int>(),
            ExecutorLimits = f.TryGetValue("executorLimits", out var e) ? Limits(e, "engine.executorLimits", nodes) : new Dictionary<string, int>(),
            NamespaceLimits = f.TryGetValue("namespaces", out var ns) ? ReadNamespaces(ns, nodes) : new Dictionary<string, int>(),
            Retention = f.TryGetValue("retention", out var r) ? RetentionReader.Read(r, nodes) : null,
            OutboundHttpAllow = f.TryGetValue("outboundHttp", out var o) ? ReadOutboundHttp(o, nodes) : [],
        };
    }

    private static List<string> ReadOutboundHttp(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "engine.outboundHttp", "allow");
        var allowed = new List<string>();
        foreach (var entry in f.TryGetValue("allow", out var a) ? nodes.Sequence(a, "engine.outboundHttp.allow") : [])
        {
            if (nodes.String(entry, "an engine.outboundHttp.allow entry") is not { } text)
            {
                continue;
            }
            if (Executors.Http.OutboundHttpPolicy.Error(text) is { } error)
            {
                nodes.Error(entry, error);
                continue;
            }
            allowed.Add(text);
        }
        return allowed;
    }

    /// <summary><c>engine.namespaces: { billing: { maxRunning: 5 } }</c>: each namespace's running limit.</summary>
    private static Dictionary<string, int> ReadNamespaces(YamlNode node, YamlNodes nodes)
    {
        var limits = new Dictionary<string, int>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            nodes.Error(node, "engine.namespaces must map namespaces to their limits, e.g. { billing: { maxRunning: 5 } }");
            return limits;
        }
        foreach (var (key, value) in mapping.Children)
        {
            if (nodes.Key(key, "a key of engine.namespaces") is not { } ns)
            {
                continue;
            }
            if (Access.Namespaces.Check(ns) is { } error)
            {
                nodes.Error(key, error);
                continue;
            }
            var f = nodes.Fields(value, $"engine.namespaces.{ns}", "maxRunning");
            if (f.TryGetValue("maxRunning", out var max) && nodes.Int(max, $"engine.namespaces.{ns}.maxRunning", 0, Hosting.NamespaceOptions.MaxLimit) is { } limit)
            {
                limits[ns] = limit;
            }
        }
        return limits;
    }

    private static Dictionary<string, int> Limits(YamlNode node, string what, YamlNodes nodes)
    {
        var limits = new Dictionary<string, int>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            nodes.Error(node, $"{what} must map names to limits, e.g. {{ reports: 2 }}");
            return limits;
        }
        foreach (var (key, value) in mapping.Children)
        {
            var name = nodes.Key(key, $"a key of {what}");
            if (name is not null && nodes.Int(value, $"{what}.{name}", 1, 100_000) is { } limit)
            {
                limits[name] = limit;
            }
        }
        return limits;
    }

    internal static string[] AllowedJobKeys => JobKeys;
}
