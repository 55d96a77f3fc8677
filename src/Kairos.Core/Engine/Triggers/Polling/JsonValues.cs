using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Kairos.Polling;

/// <summary>JSON helpers of the built-in pollers: dotted-path lookup and value equality (numbers by value).</summary>
internal static class JsonValues
{
    /// <summary>The value at <paramref name="path"/> ("a.b.0.c": property names, array indexes), or null when absent.</summary>
    public static JsonNode? Select(JsonNode? root, string path)
    {
        var node = root;
        foreach (var segment in path.Split('.'))
        {
            node = node switch
            {
                JsonObject obj => obj.TryGetPropertyValue(segment, out var child) ? child : null,
                JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < array.Count => array[i],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }
        return node;
    }

    /// <summary>Deep equality, except that two numbers are equal when their values are (1 equals 1.0).</summary>
    public static bool Equal(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }
        if (a.GetValueKind() == JsonValueKind.Number && b.GetValueKind() == JsonValueKind.Number
            && decimal.TryParse(a.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x)
            && decimal.TryParse(b.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var y))
        {
            return x == y;
        }
        return JsonNode.DeepEquals(a, b);
    }

    /// <summary>The body as JSON, or null when it is not JSON.</summary>
    public static JsonNode? TryParse(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonNode.Parse(utf8);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
