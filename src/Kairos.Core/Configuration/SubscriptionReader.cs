using Kairos.Events;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>Reads one entry of the <c>subscriptions:</c> section.</summary>
internal static class SubscriptionReader
{
    public static Subscription? Read(string name, YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, $"subscription '{name}'", "events", "filter", "job", "active");
        if (!f.TryGetValue("events", out var eventsNode) || !f.TryGetValue("job", out var jobNode))
        {
            nodes.Error(node, $"subscription '{name}' needs events (a type pattern such as order.*) and job");
            return null;
        }
        var pattern = nodes.String(eventsNode, "events");
        if (pattern is not null && !EventTypePattern.TryParse(pattern, out _, out var patternError))
        {
            nodes.Error(eventsNode, patternError!);
            pattern = null;
        }
        var filter = "{}";
        if (f.TryGetValue("filter", out var filterNode))
        {
            try
            {
                filter = EventFilter.Parse(YamlNodes.ToJson(filterNode)?.ToJsonString()).Json;
            }
            catch (KairosValidationException ex)
            {
                nodes.Error(filterNode, ex.Message);
                return null;
            }
        }
        var job = nodes.String(jobNode, "job");
        var active = !f.TryGetValue("active", out var activeNode) || (nodes.Bool(activeNode, "active") ?? true);
        return pattern is null || job is null ? null : new Subscription(name, pattern, job) { Filter = filter, Active = active };
    }
}
