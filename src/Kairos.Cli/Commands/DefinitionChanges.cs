using System.Text.Json.Nodes;

namespace Kairos.Cli.Commands;

/// <summary>
/// The fields in which two definitions (as the API writes them, in the schema of the YAML file)
/// differ, each named by its path (<c>retry.maxAttempts</c>, <c>triggers[0].cron</c>), for
/// <c>kairos diff</c>. The read-only <c>name</c> and <c>status</c> are left out.
/// </summary>
internal static class DefinitionChanges
{
    public static IEnumerable<(string Field, string? Stored, string? Declared)> Between(JsonNode? stored, JsonNode? declared)
    {
        var before = Fields(stored);
        var after = Fields(declared);
        return before.Keys.Union(after.Keys)
            .Order(StringComparer.Ordinal)
            .Where(field => before.GetValueOrDefault(field) != after.GetValueOrDefault(field))
            .Select(field => (field, before.GetValueOrDefault(field), after.GetValueOrDefault(field)));
    }

    private static Dictionary<string, string> Fields(JsonNode? definition)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (definition is JsonObject top)
        {
            foreach (var (key, value) in top.Where(f => f.Key is not ("name" or "status")))
            {
                Add(key, value, fields);
            }
        }
        return fields;
    }

    private static void Add(string path, JsonNode? node, Dictionary<string, string> fields)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    Add($"{path}.{key}", value, fields);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Add($"{path}[{i}]", array[i], fields);
                }
                break;
            default:
                fields[path] = ClientCommand.OneLineJson(node) ?? "null";
                break;
        }
    }
}
