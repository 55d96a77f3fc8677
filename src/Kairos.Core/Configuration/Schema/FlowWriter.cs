using Kairos.Model;
using static Kairos.Configuration.Schema.DefinitionWriter;

namespace Kairos.Configuration.Schema;

/// <summary>Renders a job's flow control in the schema of the YAML file (<see cref="FlowDocument"/>).</summary>
internal static class FlowWriter
{
    public static FlowDocument Flow(FlowControl flow) => new()
    {
        Concurrency = NoneIfEmpty(flow.Concurrency.Select(c => new FlowLimitDocument(c.Limit, c.Key))),
        RateLimit = flow.RateLimit is { } r ? new FlowRateDocument(r.Limit, Durations.Format(r.Period), r.Key) : null,
        Singleton = flow.Singleton is { } s ? new FlowSingletonDocument(s.Key, s.Mode == SingletonMode.Skip ? null : s.Mode) : null,
        Throttle = flow.Throttle is { } t ? new FlowThrottleDocument(t.Limit, Durations.Format(t.Period), t.Burst == 1 ? null : t.Burst, t.Key) : null,
        Debounce = flow.Debounce is { } d ? new FlowDebounceDocument(Durations.Format(d.Period), Duration(d.Timeout), d.Key) : null,
        Batch = flow.Batch is { } b ? new FlowBatchDocument(b.MaxSize, Durations.Format(b.Timeout), b.Key) : null,
        Priority = flow.Priority,
        CancelOn = NoneIfEmpty(flow.CancelOn.Select(c => new FlowCancelOnDocument(c.Event, c.Match is null ? null : new Dictionary<string, string>(c.Match), Duration(c.Timeout)))),
    };
}
