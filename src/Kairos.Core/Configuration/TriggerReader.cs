using Kairos.Model;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>Reads one entry of a job's <c>triggers:</c> list.</summary>
internal static class TriggerReader
{
    private static readonly string[] Kinds = ["cron", "interval", "once", "now", "webhook", "completion", "file", "poll"];

    /// <summary>Keys that only some kinds take, and the kind that takes each.</summary>
    private static readonly (string Key, string Kind)[] KindKeys =
    [
        ("timeZone", "cron"), ("mode", "interval"), ("anchor", "interval"), ("on", "completion"), ("maxDepth", "completion"),
        ("include", "file"), ("exclude", "file"), ("recursive", "file"), ("events", "file"), ("settle", "file"), ("reconcile", "file"), ("ignoreOwnChanges", "file"),
        ("every", "poll"), ("timeout", "poll"),
    ];

    public static TriggerSpec? Read(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "a trigger", [.. Kinds, .. KindKeys.Select(k => k.Key), "allowConcurrent", "misfire", "payload", "jitter", "catchUp", "overlap", "publish"]);
        var kinds = Kinds.Where(f.ContainsKey).ToList();
        if (kinds.Count != 1)
        {
            nodes.Error(node, $"a trigger needs exactly one of: {string.Join(", ", Kinds)}" + (kinds.Count > 1 ? $" (found {string.Join(" and ", kinds)})" : ""));
            return null;
        }
        var kind = kinds[0];
        foreach (var (key, allowedFor) in KindKeys)
        {
            if (f.TryGetValue(key, out var extra) && kind != allowedFor)
            {
                nodes.Error(extra, $"'{key}' applies only to {allowedFor} triggers");
            }
        }
        TriggerSpec? spec = kind switch
        {
            "cron" => ReadCron(f, nodes),
            "interval" => ReadInterval(f, nodes),
            "once" => nodes.Instant(f["once"], "once") is { } at ? new OnceTriggerSpec(at) : null,
            "webhook" => nodes.String(f["webhook"], "webhook") is { } hook ? new WebhookTriggerSpec(hook) : null,
            "completion" => ReadCompletion(f, nodes),
            "file" => FileTriggerReader.Read(f, nodes),
            "poll" => PollTriggerReader.Read(f, nodes),
            _ => nodes.Bool(f["now"], "now") == true ? new NowTriggerSpec() : null,
        };
        if (spec is null)
        {
            return null;
        }
        if (f.TryGetValue("misfire", out var misfire))
        {
            spec = spec with
            {
                Misfire = nodes.Enum(misfire, "misfire", ("fire-once", MisfirePolicy.FireOnce), ("fire-all", MisfirePolicy.FireAll), ("skip", MisfirePolicy.Skip)) ?? MisfirePolicy.FireOnce,
            };
        }
        if (f.TryGetValue("payload", out var payload))
        {
            spec = spec with { Payload = YamlNodes.ToJson(payload)?.ToJsonString() };
        }
        if (f.TryGetValue("publish", out var publish) && nodes.String(publish, "publish") is { } type)
        {
            if ((spec is not (FileTriggerSpec or PollTriggerSpec) ? "'publish' applies only to file and poll triggers (a webhook publishes from its own definition)" : JobRules.PublishedType(type)) is { } error)
            {
                nodes.Error(publish, error);
            }
            spec = spec with { Publish = type };
        }
        if (f.TryGetValue("jitter", out var jitter))
        {
            spec = spec with { Jitter = nodes.Duration(jitter, "jitter") };
        }
        if (f.TryGetValue("catchUp", out var catchUp))
        {
            spec = spec with { CatchUp = nodes.Duration(catchUp, "catchUp") };
        }
        if (f.TryGetValue("overlap", out var overlap) && spec is not (CronTriggerSpec or IntervalTriggerSpec))
        {
            nodes.Error(overlap, "'overlap' applies only to cron and interval triggers");
        }
        else if (overlap is not null)
        {
            spec = spec with
            {
                Overlap = nodes.Enum(overlap, "overlap", ("allow-all", TriggerOverlap.AllowAll), ("skip", TriggerOverlap.Skip), ("buffer-one", TriggerOverlap.BufferOne),
                    ("buffer-all", TriggerOverlap.BufferAll), ("cancel-other", TriggerOverlap.CancelOther), ("terminate-other", TriggerOverlap.TerminateOther)),
            };
        }
        return spec;
    }

    private static CompletionTriggerSpec? ReadCompletion(Dictionary<string, YamlNode> f, YamlNodes nodes)
    {
        var job = nodes.String(f["completion"], "completion (the job to follow)");
        var on = f.TryGetValue("on", out var onNode)
            ? nodes.Enum(onNode, "on", ("succeeded", CompletionOutcome.Succeeded), ("failed", CompletionOutcome.Failed), ("any", CompletionOutcome.Any)) ?? CompletionOutcome.Succeeded
            : CompletionOutcome.Succeeded;
        var maxDepth = f.TryGetValue("maxDepth", out var depth) ? nodes.Int(depth, "maxDepth", 1, 1000) : null;
        return job is null ? null : new CompletionTriggerSpec(job, on) { MaxDepth = maxDepth };
    }

    private static CronTriggerSpec? ReadCron(Dictionary<string, YamlNode> f, YamlNodes nodes)
    {
        var expression = nodes.String(f["cron"], "cron");
        if (expression is null)
        {
            return null;
        }
        if (JobRules.CronExpression(expression) is { } cronError)
        {
            nodes.Error(f["cron"], $"invalid cron expression '{expression}': {cronError}");
            return null;
        }
        var zone = "UTC";
        if (f.TryGetValue("timeZone", out var zoneNode))
        {
            zone = nodes.String(zoneNode, "timeZone") ?? "UTC";
            if (JobRules.TimeZone(zone) is { } zoneError)
            {
                nodes.Error(zoneNode, zoneError);
                return null;
            }
        }
        return new CronTriggerSpec(expression, zone);
    }

    private static IntervalTriggerSpec? ReadInterval(Dictionary<string, YamlNode> f, YamlNodes nodes)
    {
        var every = nodes.Duration(f["interval"], "interval");
        var mode = f.TryGetValue("mode", out var m)
            ? nodes.Enum(m, "mode", ("fixed-rate", IntervalMode.FixedRate), ("fixed-delay", IntervalMode.FixedDelay)) ?? IntervalMode.FixedRate
            : IntervalMode.FixedRate;
        var anchor = f.TryGetValue("anchor", out var a) ? nodes.Instant(a, "anchor") : null;
        return every is { } e ? new IntervalTriggerSpec(e, mode) { Anchor = anchor } : null;
    }
}
