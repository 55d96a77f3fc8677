using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kairos.Events;
using Kairos.Model;

namespace Kairos.Storage;

/// <summary>
/// The store-independent half of publishing, shared by every <see cref="IKairosStore"/>: which
/// subscriptions an event matches, the payload of the run it causes, the run.* event of a finished
/// run, and an event's status from its runs. Stores keep only the SQL.
/// </summary>
internal static class EventRouting
{
    /// <summary>
    /// Runs caused by run.* events carry a chain depth. Completion triggers set their own limit; any
    /// other chain (a subscription to run.failed whose job fails, say) stops at this depth.
    /// </summary>
    public const int DefaultChainLimit = 25;

    /// <summary>
    /// The payload of a subscription's run: <c>{event: {id, type, source, data, publishedAt}, subscription}</c>,
    /// plus <c>parent</c> (the finished run's data) for chained runs. Built as text around the event's
    /// raw data: parsing and re-serializing it per run would be the most expensive part of a publish.
    /// </summary>
    public static string RunPayload(long eventId, EventRequest request, string subscription, DateTimeOffset now, bool chained)
    {
        var data = request.Data ?? "null";
        return string.Concat(
            "{\"event\":{\"id\":", eventId.ToString(CultureInfo.InvariantCulture),
            ",\"type\":", JsonSerializer.Serialize(request.Type),
            ",\"source\":", JsonSerializer.Serialize(request.Source),
            ",\"data\":", data,
            ",\"publishedAt\":\"", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            "\"},\"subscription\":", JsonSerializer.Serialize(subscription),
            chained ? ",\"parent\":" + data + "}" : "}");
    }

    /// <summary>The run.succeeded / run.failed / run.cancelled event of a run that just ended; null for other states.</summary>
    public static EventRequest? RunFinished(RunRecord run)
    {
        var type = run.State switch
        {
            RunState.Succeeded => "run.succeeded",
            RunState.Dead => "run.failed",
            RunState.Cancelled => "run.cancelled",
            _ => null,
        };
        if (type is null)
        {
            return null;
        }
        var data = new JsonObject
        {
            ["runId"] = run.Id,
            ["job"] = run.JobName,
            ["state"] = run.State.ToWire(),
            ["attempt"] = run.Attempt,
            ["source"] = run.Source,
            ["output"] = ParseOrText(run.Output),
            ["error"] = run.Error,
            ["parentRunId"] = run.ParentRunId,
            ["chainDepth"] = run.ChainDepth,
        };
        // The event is published in the namespace of the run's job.
        return new EventRequest(Access.Namespaces.Qualify(Access.Namespaces.Of(run.JobName), type), "kairos") { Data = data.ToJsonString(), Priority = run.Priority };
    }

    /// <summary>
    /// Pending until a run starts; processing while any is unfinished; then failed if any ended dead
    /// or routing it to some subscription failed (<paramref name="routingFailed"/>), else completed.
    /// </summary>
    public static EventStatus Status(bool cancelled, bool routingFailed, int runs, int notStarted, int active, int dead) =>
        cancelled ? EventStatus.Cancelled
        : runs == 0 ? (routingFailed ? EventStatus.Failed : EventStatus.Completed)
        : notStarted == runs ? EventStatus.Pending
        : notStarted + active > 0 ? EventStatus.Processing
        : dead > 0 || routingFailed ? EventStatus.Failed
        : EventStatus.Completed;

    /// <summary>Stored text as JSON: parsed when it is JSON (an output, a payload), else a JSON string.</summary>
    public static JsonNode? ParseOrText(string? text)
    {
        if (text is null)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}

/// <summary>An event as subscriptions see it: its type split once, its JSON envelope parsed only if a filter needs it.</summary>
internal sealed class EventEnvelope(EventRequest request)
{
    private JsonNode? _json;

    public EventRequest Request => request;

    /// <summary>The namespace the event was published in, written before its type (billing/invoice.paid).</summary>
    public string Namespace { get; } = Access.Namespaces.Of(request.Type);

    /// <summary>The type's segments without its namespace, which patterns match.</summary>
    public string[] TypeSegments { get; } = Access.Namespaces.Local(request.Type).Split('.');

    public JsonNode Json => _json ??= new JsonObject
    {
        ["type"] = request.Type,
        ["source"] = request.Source,
        ["priority"] = request.Priority,
        ["data"] = request.Data is null ? null : JsonNode.Parse(request.Data),
    };
}

/// <summary>Matches subscriptions to events, with parsed patterns and filters cached by their text.</summary>
internal sealed class SubscriptionMatcher
{
    private readonly ConcurrentDictionary<string, EventTypePattern> _patterns = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EventFilter> _filters = new(StringComparer.Ordinal);

    public bool Matches(Subscription subscription, EventEnvelope envelope)
    {
        // An event reaches only the subscriptions of its own namespace.
        if (Access.Namespaces.Of(subscription.Name) != envelope.Namespace || !_patterns.GetOrAdd(subscription.Pattern, EventTypePattern.Parse).Matches(envelope.TypeSegments))
        {
            return false;
        }
        var filter = _filters.GetOrAdd(subscription.Filter, EventFilter.Parse);
        return filter.IsEmpty || filter.Matches(envelope.Json);
    }

    /// <summary>Whether any subscription's pattern takes this type (a cheap test before building an event).</summary>
    public bool AnyListens(IEnumerable<Subscription> subscriptions, string type) =>
        subscriptions.Any(s => Access.Namespaces.Of(s.Name) == Access.Namespaces.Of(type)
            && _patterns.GetOrAdd(s.Pattern, EventTypePattern.Parse).Matches(Access.Namespaces.Local(type)));
}
