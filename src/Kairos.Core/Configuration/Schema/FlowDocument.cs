using Kairos.Model;

namespace Kairos.Configuration.Schema;

/// <summary>A job's <c>flow:</c> section: flow control by keys over the payload, and cancellation by events.</summary>
internal sealed record FlowDocument
{
    public List<FlowLimitDocument>? Concurrency { get; init; }
    public FlowRateDocument? RateLimit { get; init; }
    public FlowSingletonDocument? Singleton { get; init; }
    public FlowThrottleDocument? Throttle { get; init; }
    public FlowDebounceDocument? Debounce { get; init; }
    public FlowBatchDocument? Batch { get; init; }
    public string? Priority { get; init; }
    public List<FlowCancelOnDocument>? CancelOn { get; init; }
}

internal sealed record FlowLimitDocument(int Limit, string? Key);

internal sealed record FlowRateDocument(int Limit, string Period, string? Key);

internal sealed record FlowSingletonDocument(string? Key, SingletonMode? Mode);

internal sealed record FlowThrottleDocument(int Limit, string Period, int? Burst, string? Key);

internal sealed record FlowDebounceDocument(string Period, string? Timeout, string? Key);

internal sealed record FlowBatchDocument(int MaxSize, string Timeout, string? Key);

internal sealed record FlowCancelOnDocument(string Event, Dictionary<string, string>? Match, string? Timeout);
