using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Server.Api;

/// <summary>
/// The shapes the REST API returns for runs, events and the rest. JSON payloads and outputs are embedded
/// as JSON, not strings. Jobs, subscriptions and webhooks are in the schema of the YAML file (Configuration/Schema).
/// </summary>
internal sealed record RunView(
    long Id,
    string Job,
    string State,
    int Attempt,
    int MaxAttempts,
    string Source,
    string Queue,
    int Priority,
    long? TriggerId,
    long? ParentRunId,
    JsonNode? Payload,
    JsonNode? Output,
    string? Error,
    string? IdempotencyKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset DueAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? LeaseOwner,
    DateTimeOffset? LeaseExpiresAt,
    long? EventId,
    string? Subscription,
    int ChainDepth)
{
    public static RunView From(RunRecord r) => new(
        r.Id, r.JobName, r.State.ToWire(), r.Attempt, r.MaxAttempts, r.Source, r.Queue, r.Priority, r.TriggerId, r.ParentRunId,
        Json(r.Payload), Json(r.Output), r.Error, r.IdempotencyKey, r.CreatedAt, r.DueAt, r.StartedAt, r.FinishedAt, r.LeaseOwner, r.LeaseExpiresAt,
        r.EventId, r.Subscription, r.ChainDepth);

    internal static JsonNode? Json(string? text)
    {
        if (text is null)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(text); // Output that is not JSON is shown as text.
        }
    }
}

internal sealed record JournalView(long Seq, DateTimeOffset At, string Kind, string? Job, long? RunId, long? TriggerId, string? Node, JsonNode? Data)
{
    public static JournalView From(JournalEntry e) =>
        new(e.Seq, e.At, e.Kind, e.JobName, e.RunId, e.TriggerId, e.Node, e.Data is null ? null : JsonNode.Parse(e.Data));
}

/// <summary>A run with its journal and its chain: the run that caused it and the runs it caused.</summary>
internal sealed record RunDetailView(RunView Run, IReadOnlyList<JournalView> Journal, RunView? Parent, IReadOnlyList<RunView> Children);

internal sealed record EventView(long Id, string Type, string Source, JsonNode? Data, int Priority, string? IdempotencyKey, DateTimeOffset PublishedAt, string Status, int Runs)
{
    public static EventView From(Events.StoredEvent e) =>
        new(e.Id, e.Type, e.Source, RunView.Json(e.Data), e.Priority, e.IdempotencyKey, e.PublishedAt, e.Status.ToString().ToLowerInvariant(), e.Runs);
}

internal sealed record EventDetailView(EventView Event, IReadOnlyList<RunView> Runs);

internal sealed record EnqueuedView(long RunId, bool Created, string State);

internal sealed record CancelView(long RunId, string Result);

/// <param name="ActiveRunsOnThisNode">Null for a request in one namespace: a node runs every namespace's runs, so its count would tell of the others.</param>
internal sealed record StatsView(IReadOnlyDictionary<string, long> Runs, long Jobs, long Triggers, long JournalEntries, int? ActiveRunsOnThisNode, string Node);
