using System.Text.Json.Serialization;
using Kairos.Model;

namespace Kairos.Configuration.Schema;

/// <summary>
/// A job as the YAML file and the API both write it (docs/configuration.md): what
/// <see cref="DefinitionWriter"/> renders and, through the OpenAPI document, what the API describes.
/// Reading goes through the YAML readers (<see cref="JobReader"/>), which hold the rules; these types
/// only give the shape a name. Null fields are left out; exactly one of handler, command, http and
/// workflow is set. Durations are written as a number and a unit (<c>10m</c>, <c>1h30m</c>).
/// </summary>
internal sealed record JobDocument
{
    /// <summary>Read-only: the job's name (a PUT takes it from the URL).</summary>
    public string? Name { get; init; }

    public string? Handler { get; init; }
    public CommandDocument? Command { get; init; }
    public HttpDocument? Http { get; init; }
    public WorkflowDocument? Workflow { get; init; }
    public string? Queue { get; init; }
    public int? Priority { get; init; }
    public string? Timeout { get; init; }
    public RetryDocument? Retry { get; init; }
    public ConcurrencyDocument? Concurrency { get; init; }
    public bool? Paused { get; init; }
    public int? PauseAfterFailures { get; init; }
    public List<TriggerDocument>? Triggers { get; init; }
    public FlowDocument? Flow { get; init; }
    public List<NotificationDocument>? Notify { get; init; }
    public TimeoutsDocument? Timeouts { get; init; }

    /// <summary>Read-only: the stored version and each trigger's fire times (a PUT ignores it).</summary>
    public JobStatusDocument? Status { get; init; }
}

/// <summary>What the server knows of a job beyond its definition; never read from a body.</summary>
internal sealed record JobStatusDocument(long Version, DateTimeOffset UpdatedAt, List<TriggerStatusDocument> Triggers);

/// <summary>A stored trigger: its key (stable across saves while the trigger is unchanged) and fire times.</summary>
internal sealed record TriggerStatusDocument(long Id, string Key, string Kind, DateTimeOffset? NextFireAt, DateTimeOffset? LastFireAt);

/// <summary><c>command: { argv: [...] }</c>; the YAML file may also write the argv list alone.</summary>
internal sealed record CommandDocument(List<string> Argv)
{
    public Dictionary<string, string>? Env { get; init; }
    public string? WorkingDirectory { get; init; }
    public long? MaxOutputBytes { get; init; }
    public string? KillGrace { get; init; }
    public List<int>? AllowOptions { get; init; }
}

internal sealed record HttpDocument(string Url)
{
    /// <summary>GET by default for a job, POST for a notification.</summary>
    public string? Method { get; init; }
    public Dictionary<string, string>? Headers { get; init; }
    public string? Body { get; init; }
    public string? Timeout { get; init; }
    public int? MaxResponseBytes { get; init; }
}

/// <summary>Each field left out keeps its default: exponential from 10s, at most 10m, jitter 0.2, 3 attempts.</summary>
internal sealed record RetryDocument
{
    public BackoffKind? Backoff { get; init; }
    public string? InitialDelay { get; init; }
    public string? MaxDelay { get; init; }
    public double? Jitter { get; init; }
    public int? MaxAttempts { get; init; }
}

internal sealed record ConcurrencyDocument(int? MaxInstances, OverlapPolicy? OnOverlap);

internal sealed record TimeoutsDocument(string? Start, string? Finish);

internal sealed record NotificationDocument(List<NotifyOn> On)
{
    public HttpDocument? Http { get; init; }
    public string? Event { get; init; }
}
