using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kairos.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>
/// Typed reads from YAML nodes that record an error at the node's line and column instead of
/// throwing, so one validation pass reports every problem in a file.
/// </summary>
internal sealed partial class YamlNodes
{
    public List<ConfigError> Errors { get; } = [];

    /// <summary>The node each of <see cref="Errors"/> is about, in the same order: a body read over the API names it by its field path.</summary>
    public List<YamlNode> ErrorNodes { get; } = [];

    public void Error(YamlNode node, string message)
    {
        Errors.Add(new ConfigError((int)node.Start.Line, (int)node.Start.Column, message));
        ErrorNodes.Add(node);
    }

    /// <summary>The mapping's entries by key; keys not in <paramref name="allowed"/> are errors naming the allowed ones.</summary>
    public Dictionary<string, YamlNode> Fields(YamlNode node, string what, params string[] allowed)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            Error(node, $"{what} must be a mapping of keys to values");
            return fields;
        }
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                Error(keyNode, FormerNames.Hint(key) is { } hint
                    ? $"unknown key '{key}' in {what}: {hint}"
                    : $"unknown key '{key}' in {what}; allowed: {string.Join(", ", allowed)}");
                continue;
            }
            fields[key] = value;
        }
        return fields;
    }

    /// <summary>A mapping key as text; a list or mapping used as a key is an error.</summary>
    public string? Key(YamlNode key, string what)
    {
        if (key is YamlScalarNode { Value: { } text })
        {
            return text;
        }
        Error(key, $"{what} must be a plain name, not a list or mapping");
        return null;
    }

    public string? String(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { } value } && !IsNull(node))
        {
            return value;
        }
        Error(node, $"{what} must be a text value");
        return null;
    }

    public int? Int(YamlNode node, string what, int min, int max)
    {
        if (node is YamlScalarNode { Value: { } text } && WholeNumber().IsMatch(text))
        {
            // A whole number too large for a long is out of range too, not "not a number".
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            {
                return (int)value;
            }
            Error(node, $"{what} {(text.Length <= 24 ? text : InputText.Quote(text))} is out of range {min}–{max}");
            return null;
        }
        Error(node, $"{what} must be a whole number");
        return null;
    }

    [GeneratedRegex("^[+-]?[0-9]+\\z")]
    private static partial Regex WholeNumber();

    public double? Double(YamlNode node, string what, double min, double max)
    {
        if (node is YamlScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max)
            {
                return value;
            }
            Error(node, $"{what} {text} is out of range {min}–{max}");
            return null;
        }
        Error(node, $"{what} must be a number");
        return null;
    }

    public bool? Bool(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var value))
        {
            return value;
        }
        Error(node, $"{what} must be true or false");
        return null;
    }

    public TimeSpan? Duration(YamlNode node, string what)
    {
        var text = String(node, what);
        if (text is null)
        {
            return null;
        }
        if (!Durations.TryParse(text, out var duration) || duration <= TimeSpan.Zero)
        {
            if (TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var clock) && clock > TimeSpan.Zero && clock <= Durations.Longest)
            {
                Error(node, $"{what} '{text}' is written as a clock; write durations as a number and a unit: {Durations.Format(clock)}");
                return null;
            }
            Error(node, $"{what} '{text}' is not a positive duration up to 100 years: write a number and a unit, e.g. 250ms, 30s, 5m, 1h30m, 2d");
            return null;
        }
        return duration;
    }

    /// <summary>A positive duration that a timer waits for, so at most <see cref="Durations.LongestTimer"/>.</summary>
    public TimeSpan? TimerDuration(YamlNode node, string what)
    {
        var duration = Duration(node, what);
        if (duration is { } d && JobRules.Timer(d, what) is { } error)
        {
            Error(node, error);
            return null;
        }
        return duration;
    }

    public DateTimeOffset? Instant(YamlNode node, string what)
    {
        var text = String(node, what);
        if (text is null)
        {
            return null;
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant) || !HasOffset(text))
        {
            Error(node, $"{what} '{text}' is not an ISO-8601 time with an offset, e.g. 2026-12-01T09:00:00Z or 2026-12-01T09:00:00+01:00");
            return null;
        }
        return instant;
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && (text[^6] == '+' || text[^6] == '-') && text[^3] == ':');

    public TEnum? Enum<TEnum>(YamlNode node, string what, params (string Name, TEnum Value)[] names) where TEnum : struct
    {
        var text = String(node, what);
        if (text is null)
        {
            return null;
        }
        foreach (var (name, value) in names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        Error(node, $"{what} '{text}' is not one of: {string.Join(", ", names.Select(n => n.Name))}");
        return null;
    }

    public List<YamlNode> Sequence(YamlNode node, string what)
    {
        if (node is YamlSequenceNode sequence)
        {
            return sequence.Children.ToList();
        }
        Error(node, $"{what} must be a list");
        return [];
    }

    public Dictionary<string, string> StringMap(YamlNode node, string what)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is not YamlMappingNode mapping)
        {
            Error(node, $"{what} must be a mapping of names to text values");
            return map;
        }
        foreach (var (key, value) in mapping.Children)
        {
            if (String(key, $"a key of {what}") is { } name && String(value, $"{what}.{name}") is { } text)
            {
                map[name] = text;
            }
        }
        return map;
    }

    /// <summary>Converts a YAML value to JSON: plain scalars that look like numbers, booleans or null become those.</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(kv =>
            KeyValuePair.Create((kv.Key as YamlScalarNode)?.Value ?? kv.Key.ToString(), ToJson(kv.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar when scalar.Style is ScalarStyle.Plain => PlainScalar(scalar.Value ?? ""),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };

    private static JsonNode? PlainScalar(string text)
    {
        if (text is "" or "~" or "null")
        {
            return null;
        }
        if (bool.TryParse(text, out var flag))
        {
            return JsonValue.Create(flag);
        }
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }
        // Only finite numbers: JSON has no NaN or Infinity (1e400 parses as Infinity), so those stay text.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            return JsonValue.Create(number);
        }
        return JsonValue.Create(text);
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" };
}
