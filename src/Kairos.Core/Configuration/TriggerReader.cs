using Kairos.Model;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>Reads one entry of a job's <c>triggers:</c> list.</summary>
internal static class TriggerReader
{
    private static readonly string[] Kinds = ["cron", "interval", "once", "now"];

    public static TriggerSpec? Read(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "a trigger", "cron", "timeZone", "interval", "mode", "anchor", "once", "now", "misfire", "payload");
        var kinds = Kinds.Where(f.ContainsKey).ToList();
        if (kinds.Count != 1)
        {
            nodes.Error(node, "a trigger needs exactly one of: cron, interval, once, now" + (kinds.Count > 1 ? $" (found {string.Join(" and ", kinds)})" : ""));
            return null;
        }
        var kind = kinds[0];
        foreach (var (key, allowedFor) in new[] { ("timeZone", "cron"), ("mode", "interval"), ("anchor", "interval") })
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
        return spec;
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
