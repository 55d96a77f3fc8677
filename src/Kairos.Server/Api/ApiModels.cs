using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Server.Api;

/// <summary>The shapes the REST API returns. JSON payloads and outputs are embedded as JSON, not strings.</summary>
internal sealed record JobView(
    string Name,
    ExecutorSpec Executor,
    string Queue,
    int Priority,
    TimeSpan? Timeout,
    RetryPolicy Retry,
    ConcurrencyPolicy Concurrency,
    bool Paused,
    long Version,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<TriggerView> Triggers,
    IReadOnlyList<Notification> Notify)
{
    public static JobView From(StoredJob job, IEnumerable<TriggerState> triggers)
    {
        var d = job.Definition;
        return new JobView(d.Name, d.Executor, d.Queue, d.Priority, d.Timeout, d.Retry, d.Concurrency, d.Paused, job.Version, job.UpdatedAt,
            triggers.Select(TriggerView.From).ToList(), d.Notify);
    }
}

internal sealed record TriggerView(long Id, string Key, TriggerSpec Spec, DateTimeOffset? NextFireAt, DateTimeOffset? LastFireAt)
{
    public static TriggerView From(TriggerState t) => new(t.Id, t.Key, t.Spec, t.NextFireAt, t.LastFireAt);
}

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

internal sealed record SubscriptionView(string Name, string Events, JsonNode? Filter, string Job, bool Active, int? MaxDepth, string? OwnerJob)
{
    public static SubscriptionView From(Events.Subscription s) => new(s.Name, s.Pattern, RunView.Json(s.Filter), s.Job, s.Active, s.MaxDepth, s.OwnerJob);
}

/// <summary>A webhook as the API shows it: where its secret comes from, never the secret.</summary>
internal sealed record WebhookView(string Name, string Url, string Verification, string? Secret, TimeSpan ReplayWindow, long MaxBodyBytes, Kairos.Webhooks.WebhookRateLimit? RateLimit, IReadOnlyList<string> Headers,
    Kairos.Webhooks.HmacVerification? Hmac, string? Publish)
{
    public static WebhookView From(Kairos.Webhooks.WebhookDefinition h) =>
        new(h.Name, $"/hooks/{h.Name}", Kairos.Webhooks.WebhookOptionNames.Name(Kairos.Webhooks.WebhookOptionNames.Verifications, h.Verification),
            h.Secret?.Describe(), h.ReplayWindow, h.MaxBodyBytes, h.RateLimit, h.Headers, h.Hmac, h.Publish);
}

internal sealed record EnqueuedView(long RunId, bool Created, string State);

internal sealed record CancelView(long RunId, string Result);

/// <param name="ActiveRunsOnThisNode">Null for a request in one namespace: a node runs every namespace's runs, so its count would tell of the others.</param>
internal sealed record StatsView(IReadOnlyDictionary<string, long> Runs, long Jobs, long Triggers, long JournalEntries, int? ActiveRunsOnThisNode, string Node);
