using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kairos.Events;
using Kairos.Storage.Drivers;

namespace Kairos.Workflows;

/// <summary>
/// Which events a <c>waitForEvent</c> step takes: its type pattern, in the workflow's namespace, and its
/// match, a <see cref="StepCondition"/> over <c>event</c> (<c>type</c> without the namespace, <c>source</c>,
/// <c>data</c>) and the run, whose templates (<c>{{input.orderId}}</c>) read as the paths they hold. The
/// run's values the match reads are frozen when the wait starts and stored with it, so an event is
/// matched later from the wait's row alone.
/// </summary>
internal static partial class EventMatch
{
    // Parsed patterns and conditions, cached by their text for the whole process (every publish matches the open waits).
    private static readonly ConcurrentDictionary<string, EventTypePattern> Patterns = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, StepCondition> Conditions = new(StringComparer.Ordinal);

    [GeneratedRegex(@"\{\{\s*([^{}]*?)\s*\}\}")]
    private static partial Regex TemplatePattern();

    /// <exception cref="FormatException">What is wrong and at which character of the match as written.</exception>
    public static StepCondition Parse(string match) =>
        // In text, braces become spaces, so error positions stay those of the text as written; the structured form reads its templates itself.
        StepCondition.Parse(StepCondition.IsStructured(match) ? match : TemplatePattern().Replace(match, m => "  " + m.Value[2..^2] + "  "), readsEvent: true);

    /// <summary>The values of <paramref name="context"/> (<see cref="WorkflowContext"/>) that <paramref name="match"/> reads outside <c>event</c>, as JSON of the same shape.</summary>
    public static string Freeze(string match, string context)
    {
        var source = JsonNode.Parse(context);
        var frozen = new JsonObject();
        foreach (var path in Parse(match).Paths.Select(p => p.Path.Split('.')).Where(p => p[0] != "event"))
        {
            var value = source;
            foreach (var part in path)
            {
                value = value switch
                {
                    JsonObject o => o[part],
                    JsonArray a when int.TryParse(part, out var i) && i >= 0 && i < a.Count => a[i],
                    _ => null,
                };
            }
            if (value is null)
            {
                continue; // Missing: null when matched, as it would be now.
            }
            var at = frozen;
            foreach (var part in path[..^1])
            {
                // A list on the way (items.0) is kept as an object with the index as key, which paths read alike.
                at = at[part] as JsonObject ?? (JsonObject)(at[part] = new JsonObject());
            }
            at[path[^1]] = value.DeepClone();
        }
        return frozen.ToJsonString();
    }

    /// <summary>Whether <paramref name="wait"/> takes the event (its type given with its namespace); false when its data cannot be read.</summary>
    public static bool Matches(EventWaitRow wait, EventRequest request)
    {
        var type = Access.Namespaces.Local(request.Type);
        if (Access.Namespaces.Of(request.Type) != wait.Namespace || !Patterns.GetOrAdd(wait.Type, EventTypePattern.Parse).Matches(type))
        {
            return false;
        }
        if (wait.Match is not { } match)
        {
            return true;
        }
        try
        {
            var context = JsonNode.Parse(wait.Values ?? "{}") as JsonObject ?? [];
            context["event"] = new JsonObject
            {
                ["type"] = type,
                ["source"] = request.Source,
                ["data"] = request.Data is null ? null : JsonNode.Parse(request.Data),
            };
            using var document = JsonDocument.Parse(context.ToJsonString());
            return Conditions.GetOrAdd(match, Parse).Evaluate(document.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
