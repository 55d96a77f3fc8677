using Kairos.Model;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>Reads a job's <c>flow:</c> section into a <see cref="FlowControl"/>, each bad value an error at its line and column.</summary>
internal static class FlowReader
{
    public static FlowControl? Read(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "flow", "concurrency", "rateLimit", "singleton", "throttle", "debounce", "batch", "priority", "cancelOn");
        var flow = new FlowControl
        {
            Concurrency = f.TryGetValue("concurrency", out var c) ? ReadConcurrency(c, nodes) : [],
            RateLimit = f.TryGetValue("rateLimit", out var r) ? ReadRateLimit(r, nodes) : null,
            Singleton = f.TryGetValue("singleton", out var s) ? ReadSingleton(s, nodes) : null,
            Throttle = f.TryGetValue("throttle", out var t) ? ReadThrottle(t, nodes) : null,
            Debounce = f.TryGetValue("debounce", out var d) ? ReadDebounce(d, nodes) : null,
            Batch = f.TryGetValue("batch", out var b) ? ReadBatch(b, nodes) : null,
            Priority = f.TryGetValue("priority", out var p) ? ReadPriority(p, nodes) : null,
            CancelOn = f.TryGetValue("cancelOn", out var co) ? ReadCancelOn(co, nodes) : [],
        };
        if (flow.Debounce is not null && flow.Batch is not null)
        {
            nodes.Error(f["batch"], "a job either debounces or batches its runs, not both");
        }
        return flow.IsEmpty ? null : flow;
    }

    private static List<ConcurrencyKey> ReadConcurrency(YamlNode node, YamlNodes nodes)
    {
        // One limit may be written without the list.
        var items = node is YamlMappingNode ? [node] : nodes.Sequence(node, "flow.concurrency");
        if (items.Count > FlowControl.MaxConcurrencyKeys)
        {
            nodes.Error(node, $"flow.concurrency allows at most {FlowControl.MaxConcurrencyKeys} limits");
        }
        var limits = new List<ConcurrencyKey>();
        for (var i = 0; i < items.Count; i++)
        {
            var what = $"flow.concurrency[{i}]";
            var f = nodes.Fields(items[i], what, "key", "limit");
            if (!f.TryGetValue("limit", out var limit))
            {
                nodes.Error(items[i], $"{what} needs a limit");
                continue;
            }
            if (nodes.Int(limit, what + ".limit", 1, FlowControl.MaxLimit) is { } n)
            {
                limits.Add(new ConcurrencyKey(n, Key(f, what, nodes)));
            }
        }
        return limits;
    }

    private static RateLimitRule? ReadRateLimit(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "flow.rateLimit", "key", "limit", "period");
        var (limit, period) = CountPer(f, node, "flow.rateLimit", ("limit", FlowControl.MaxLimit), "period", nodes);
        var key = Key(f, "flow.rateLimit", nodes);
        return limit is { } n && period is { } d ? new RateLimitRule(n, d, key) : null;
    }

    private static SingletonRule? ReadSingleton(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "flow.singleton", "key", "mode");
        var mode = f.TryGetValue("mode", out var m)
            ? nodes.Enum(m, "flow.singleton.mode", ("skip", SingletonMode.Skip), ("cancel", SingletonMode.Cancel))
            : SingletonMode.Skip;
        var key = Key(f, "flow.singleton", nodes);
        return mode is { } mo ? new SingletonRule(key, mo) : null;
    }

    private static ThrottleRule? ReadThrottle(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "flow.throttle", "key", "limit", "period", "burst");
        var (limit, period) = CountPer(f, node, "flow.throttle", ("limit", FlowControl.MaxLimit), "period", nodes);
        var burst = f.TryGetValue("burst", out var b) ? nodes.Int(b, "flow.throttle.burst", 1, FlowControl.MaxLimit) : 1;
        var key = Key(f, "flow.throttle", nodes);
        return limit is { } n && period is { } d && burst is { } bu ? new ThrottleRule(n, d, bu, key) : null;
    }

    private static DebounceRule? ReadDebounce(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "flow.debounce", "key", "period", "timeout");
        var period = Required(f, "period", node, "flow.debounce", nodes) is { } p ? Period(p, "flow.debounce.period", nodes) : null;
        var timeout = f.TryGetValue("timeout", out var t) ? Period(t, "flow.debounce.timeout", nodes) : null;
        if (period is { } pe && timeout is { } ti && ti < pe)
        {
            nodes.Error(t!, "flow.debounce.timeout must not be shorter than the period");
        }
        var key = Key(f, "flow.debounce", nodes);
        return period is { } d ? new DebounceRule(d, timeout, key) : null;
    }

    private static BatchRule? ReadBatch(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "flow.batch", "key", "maxSize", "timeout");
        var (size, timeout) = CountPer(f, node, "flow.batch", ("maxSize", FlowControl.MaxBatchSize), "timeout", nodes);
        var key = Key(f, "flow.batch", nodes);
        return size is { } n && timeout is { } d ? new BatchRule(n, d, key) : null;
    }

    /// <summary>A rule's required count (1 to its maximum) and duration, each an error at its node when bad or missing.</summary>
    private static (int? Count, TimeSpan? Duration) CountPer(Dictionary<string, YamlNode> f, YamlNode node, string what,
        (string Field, int Max) count, string duration, YamlNodes nodes) =>
        (Required(f, count.Field, node, what, nodes) is { } c ? nodes.Int(c, $"{what}.{count.Field}", 1, count.Max) : null,
         Required(f, duration, node, what, nodes) is { } d ? Period(d, $"{what}.{duration}", nodes) : null);

    private static YamlNode? Required(Dictionary<string, YamlNode> f, string field, YamlNode node, string what, YamlNodes nodes)
    {
        if (f.TryGetValue(field, out var value))
        {
            return value;
        }
        nodes.Error(node, $"{what} needs {field}");
        return null;
    }

    private static List<CancelOnRule> ReadCancelOn(YamlNode node, YamlNodes nodes)
    {
        var items = nodes.Sequence(node, "flow.cancelOn");
        if (items.Count > FlowControl.MaxCancelOn)
        {
            nodes.Error(node, $"flow.cancelOn allows at most {FlowControl.MaxCancelOn} rules");
        }
        var rules = new List<CancelOnRule>();
        for (var i = 0; i < items.Count; i++)
        {
            var what = $"flow.cancelOn[{i}]";
            var f = nodes.Fields(items[i], what, "event", "match", "timeout");
            var pattern = Required(f, "event", items[i], what, nodes) is { } e ? Checked(e, what + ".event", FlowRules.CancelEvent, nodes) : null;
            var timeout = f.TryGetValue("timeout", out var t) ? nodes.Duration(t, what + ".timeout") : null;
            var match = f.TryGetValue("match", out var m) ? ReadMatch(m, what + ".match", nodes) : null;
            if (pattern is not null)
            {
                rules.Add(new CancelOnRule(pattern, match, timeout));
            }
        }
        return rules;
    }

    /// <summary><c>match: { data.orderId: "{{payload.orderId}}" }</c>: event paths to payload templates.</summary>
    private static Dictionary<string, string>? ReadMatch(YamlNode node, string what, YamlNodes nodes)
    {
        if (node is not YamlMappingNode mapping)
        {
            nodes.Error(node, $"{what} must be a mapping of event paths to payload templates, e.g. {{ data.orderId: \"{{{{payload.orderId}}}}\" }}");
            return null;
        }
        if (mapping.Children.Count > CancelOnRule.MaxMatch)
        {
            nodes.Error(node, $"{what} allows at most {CancelOnRule.MaxMatch} entries");
        }
        var match = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children)
        {
            if (nodes.Key(key, $"a path of {what}") is { } path && Checked(key, path, what, FlowRules.EventPath, nodes) is not null
                && nodes.String(value, $"{what}.{path}") is { } template && Checked(value, template, $"{what}.{path}", FlowRules.Key, nodes) is not null)
            {
                match[path] = template;
            }
        }
        return match;
    }

    /// <summary>A text value checked by <paramref name="rule"/>; an error at its node (and null) when the rule refuses it.</summary>
    private static string? Checked(YamlNode node, string what, Func<string, string?> rule, YamlNodes nodes) =>
        nodes.String(node, what) is { } text ? Checked(node, text, what, rule, nodes) : null;

    private static string? Checked(YamlNode node, string value, string what, Func<string, string?> rule, YamlNodes nodes)
    {
        if (rule(value) is { } error)
        {
            nodes.Error(node, $"{what}: {error}");
            return null;
        }
        return value;
    }

    private static string? ReadPriority(YamlNode node, YamlNodes nodes)
    {
        var template = nodes.String(node, "flow.priority");
        if (template is not null && FlowRules.PriorityTemplate(template) is { } error)
        {
            nodes.Error(node, $"flow.priority: {error}");
        }
        return template;
    }

    private static string? Key(Dictionary<string, YamlNode> f, string what, YamlNodes nodes)
    {
        if (!f.TryGetValue("key", out var node))
        {
            return null;
        }
        var key = nodes.String(node, what + ".key");
        if (key is not null && FlowRules.Key(key) is { } error)
        {
            nodes.Error(node, $"{what}.key: {error}");
        }
        return key;
    }

    private static TimeSpan? Period(YamlNode node, string what, YamlNodes nodes)
    {
        var period = nodes.Duration(node, what);
        if (period is { } p && FlowRules.Period(p) is { } error)
        {
            nodes.Error(node, $"{what}: {error}");
            return null;
        }
        return period;
    }
}
