using System.Text.Json.Nodes;
using Kairos.Model;

namespace Kairos.Configuration.Schema;

/// <summary>
/// One entry of a job's <c>triggers:</c>. Its kind is the one key of cron, interval, once, now,
/// webhook, completion, file and poll that is set; the other fields apply as docs/configuration.md says.
/// </summary>
internal sealed record TriggerDocument
{
    public string? Cron { get; init; }
    public string? TimeZone { get; init; }
    public string? Interval { get; init; }
    public IntervalMode? Mode { get; init; }
    public DateTimeOffset? Anchor { get; init; }
    public DateTimeOffset? Once { get; init; }
    public bool? Now { get; init; }
    public string? Webhook { get; init; }
    public string? Completion { get; init; }
    public CompletionOutcome? On { get; init; }
    public int? MaxDepth { get; init; }
    public string? File { get; init; }
    public List<string>? Include { get; init; }
    public List<string>? Exclude { get; init; }
    public bool? Recursive { get; init; }
    public List<FileChangeKind>? Events { get; init; }
    public string? Settle { get; init; }
    public string? Reconcile { get; init; }
    public bool? IgnoreOwnChanges { get; init; }

    /// <summary>A registered poller's name (text), or <c>{ http: {...} }</c> / <c>{ sql: {...} }</c> (<see cref="PollHttpDocument"/>, <see cref="PollSqlDocument"/>).</summary>
    public JsonNode? Poll { get; init; }

    public string? Every { get; init; }
    public string? Timeout { get; init; }
    public bool? AllowConcurrent { get; init; }
    public MisfirePolicy? Misfire { get; init; }

    /// <summary>The JSON payload of every run the trigger fires.</summary>
    public JsonNode? Payload { get; init; }

    public string? Jitter { get; init; }
    public string? CatchUp { get; init; }
    public TriggerOverlap? Overlap { get; init; }
    public string? Publish { get; init; }
}

internal sealed record PollHttpDocument(string Url)
{
    public Dictionary<string, string>? Headers { get; init; }
    public int? Status { get; init; }
    public string? Field { get; init; }
    [System.Text.Json.Serialization.JsonPropertyName("equals")]
    public JsonNode? EqualsJson { get; init; }
    public bool? OnChange { get; init; }
}

internal sealed record PollSqlDocument(string Provider, string? Connection, string? ConnectionEnv, string Query, string Watermark);
