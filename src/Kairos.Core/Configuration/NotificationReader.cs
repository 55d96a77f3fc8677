using Kairos.Model;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>Reads a job's <c>notify:</c> list, recording errors at the line and column of the value at fault.</summary>
internal static class NotificationReader
{
    private static readonly (string Name, NotifyOn Value)[] Outcomes =
        [("failed", NotifyOn.Failed), ("dead", NotifyOn.Dead), ("succeeded", NotifyOn.Succeeded), ("cancelled", NotifyOn.Cancelled)];

    public static List<Notification> Read(YamlNode node, YamlNodes nodes)
    {
        var items = nodes.Sequence(node, "notify");
        if (items.Count > JobDefinition.MaxNotifications)
        {
            nodes.Error(node, $"notify: at most {JobDefinition.MaxNotifications} notifications, not {items.Count}");
        }
        return items.Select(item => ReadOne(item, nodes)).OfType<Notification>().ToList();
    }

    private static Notification? ReadOne(YamlNode node, YamlNodes nodes)
    {
        var errorsBefore = nodes.Errors.Count;
        var f = nodes.Fields(node, "a notification", "on", "http", "event");
        if (!f.TryGetValue("on", out var onNode))
        {
            nodes.Error(node, "a notification needs on: failed, dead, succeeded or cancelled (one or a list)");
        }
        var on = onNode switch
        {
            null => [],
            YamlSequenceNode list => list.Children.Select(n => nodes.Enum(n, "notify.on", Outcomes)).OfType<NotifyOn>().Distinct().ToList(),
            _ => nodes.Enum(onNode, "notify.on", Outcomes) is { } one ? [one] : new List<NotifyOn>(),
        };
        if (onNode is YamlSequenceNode { Children.Count: 0 })
        {
            nodes.Error(onNode, "notify.on must name at least one of failed, dead, succeeded, cancelled");
        }
        if (f.ContainsKey("http") == f.ContainsKey("event"))
        {
            nodes.Error(node, "a notification needs exactly one of http or event");
        }
        var notification = new Notification
        {
            On = on,
            Http = f.TryGetValue("http", out var http) ? JobReader.ReadHttp(http, nodes, defaultMethod: "POST") : null,
            Event = f.TryGetValue("event", out var type) ? nodes.String(type, "notify.event") : null,
        };
        if (nodes.Errors.Count != errorsBefore)
        {
            return null;
        }
        // The rest of the rules are the API's, reported at the field they concern.
        foreach (var (field, message) in JobRules.Notification(notification))
        {
            var at = field switch { "event" => f["event"], "on" => onNode!, _ => f.GetValueOrDefault("http") ?? node };
            nodes.Error(at, $"notify{(field.Length == 0 ? "" : "." + field)}: {message}");
        }
        return nodes.Errors.Count == errorsBefore ? notification : null;
    }
}
