using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Model;
using Kairos.Webhooks;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>
/// Reads one job, subscription or webhook sent as JSON (an API body) with the readers of the YAML
/// file, so that both take the same names, durations (<c>10m</c>), defaults and rules, written once.
/// The JSON becomes YAML nodes (JSON strings as quoted scalars, so <c>"5"</c> stays text where JSON
/// is kept, e.g. in a payload), and each problem is named by its field path, e.g.
/// <c>triggers[0].cron: invalid cron expression …</c>, all in one <see cref="KairosValidationException"/>.
/// <c>name</c> and <c>status</c>, which a GET answers with, are read-only: a body may carry them back
/// unchanged (GET then PUT changes nothing), and <c>name</c> must then be the one in the URL.
/// </summary>
internal static class DefinitionReader
{
    public static JobDefinition Job(string name, JsonObject body, Func<string, bool>? handlerExists = null) =>
        Read("the job definition", name, body, (node, nodes) => JobReader.Read(name, node, nodes, handlerExists));

    public static Subscription Subscription(string name, JsonObject body) =>
        Read("the subscription", name, body, (node, nodes) => SubscriptionReader.Read(name, node, nodes));

    /// <summary>A webhook from its body; <c>stored</c> is the hook it replaces, if any, whose literal secret a body without one keeps (<see cref="StoredLiteralSecret"/>).</summary>
    public static WebhookDefinition Webhook(string name, JsonObject body, WebhookDefinition? stored = null) =>
        Read("the webhook", name, body, (node, nodes) => WebhookReader.Read(name, node, nodes, stored));

    private static T Read<T>(string what, string name, JsonObject body, Func<YamlNode, YamlNodes, T?> read) where T : class
    {
        var fields = new JsonObject();
        foreach (var (key, value) in body)
        {
            if (key == "name" && !IsName(value, name))
            {
                throw new KairosValidationException($"name: {what} is named '{name}' by its URL, and the body says {InputText.Quote(value?.ToJsonString())}; leave name out or make them agree");
            }
            if (key is not ("name" or "status"))
            {
                fields[key] = value?.DeepClone();
            }
        }
        var paths = new Dictionary<YamlNode, string>(ReferenceEqualityComparer.Instance);
        var root = ToYaml(fields, "", paths);
        var nodes = new YamlNodes();
        var result = read(root, nodes);
        if (nodes.Errors.Count == 0 && result is not null)
        {
            return result;
        }
        var errors = nodes.Errors.Zip(nodes.ErrorNodes, (error, node) => AtPath(paths.GetValueOrDefault(node, ""), error.Message))
            .Distinct()
            .ToList();
        throw new KairosValidationException(errors.Count == 1 ? errors[0] : $"{what} has {errors.Count} errors: {string.Join("; ", errors)}");
    }

    /// <summary>
    /// The message after its field's full path. The readers start many messages with the field as a
    /// section of the file names it ("retry.backoff 'x' is not…", "interval 'soon' is not…"); that
    /// word is dropped when the path already says it, so the field is named once.
    /// </summary>
    private static string AtPath(string path, string message)
    {
        if (path.Length == 0)
        {
            return message;
        }
        var end = message.IndexOf(' ', StringComparison.Ordinal);
        var said = end > 0 ? message[..end].TrimEnd(':') : "";
        var named = said.Length > 0 && (path == said || path.EndsWith("." + said, StringComparison.Ordinal) || path.StartsWith(said + ".", StringComparison.Ordinal));
        return $"{path}: {(named ? message[(end + 1)..] : message)}";
    }

    private static bool IsName(JsonNode? value, string name) =>
        value is JsonValue v && v.TryGetValue<string>(out var text) && (text == name || text.EndsWith("/" + name, StringComparison.Ordinal));

    /// <summary>The JSON as YAML nodes, remembering each node's path (a mapping's key has its entry's path).</summary>
    private static YamlNode ToYaml(JsonNode? json, string path, Dictionary<YamlNode, string> paths)
    {
        YamlNode node;
        switch (json)
        {
            case JsonObject obj:
                var mapping = new YamlMappingNode();
                foreach (var (key, value) in obj)
                {
                    var at = path.Length == 0 ? key : $"{path}.{key}";
                    var keyNode = new YamlScalarNode(key);
                    paths[keyNode] = at;
                    mapping.Add(keyNode, ToYaml(value, at, paths));
                }
                node = mapping;
                break;
            case JsonArray array:
                var sequence = new YamlSequenceNode();
                for (var i = 0; i < array.Count; i++)
                {
                    sequence.Add(ToYaml(array[i], $"{path}[{i}]", paths));
                }
                node = sequence;
                break;
            case null:
                node = new YamlScalarNode("null") { Style = ScalarStyle.Plain };
                break;
            default:
                var kind = json.GetValueKind();
                node = kind == JsonValueKind.String
                    ? new YamlScalarNode(json.GetValue<string>()) { Style = ScalarStyle.DoubleQuoted }
                    : new YamlScalarNode(kind switch
                    {
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => json.ToJsonString(),
                    }) { Style = ScalarStyle.Plain };
                break;
        }
        paths[node] = path;
        return node;
    }
}
