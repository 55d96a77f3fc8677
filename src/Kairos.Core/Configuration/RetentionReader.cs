using Kairos.Hosting;
using YamlDotNet.RepresentationModel;

namespace Kairos.Configuration;

/// <summary>Reads <c>engine.retention</c>: an age per kind (a duration, or <c>off</c> to keep forever), the interval and the batch size.</summary>
internal static class RetentionReader
{
    private static readonly string[] AgeKeys = ["succeeded", "skipped", "dead", "cancelled", "events", "journal"];

    public static RetentionSettings Read(YamlNode node, YamlNodes nodes)
    {
        var f = nodes.Fields(node, "engine.retention", [.. AgeKeys, "interval", "batchSize"]);
        TimeSpan? Age(string key) => f.TryGetValue(key, out var value) ? ReadAge(value, $"engine.retention.{key}", nodes) : null;
        return new RetentionSettings
        {
            Succeeded = Age("succeeded"),
            Skipped = Age("skipped"),
            Dead = Age("dead"),
            Cancelled = Age("cancelled"),
            Events = Age("events"),
            Journal = Age("journal"),
            Interval = f.TryGetValue("interval", out var i) ? ReadInterval(i, nodes) : null,
            BatchSize = f.TryGetValue("batchSize", out var b) ? nodes.Int(b, "engine.retention.batchSize", 1, RetentionOptions.MaxBatchSize) : null,
        };
    }

    /// <summary>A positive duration, or <c>off</c>: keep forever (<see cref="Timeout.InfiniteTimeSpan"/>).</summary>
    private static TimeSpan? ReadAge(YamlNode node, string what, YamlNodes nodes) =>
        node is YamlScalarNode { Value: "off" } ? Timeout.InfiniteTimeSpan : nodes.Duration(node, what);

    private static TimeSpan? ReadInterval(YamlNode node, YamlNodes nodes)
    {
        var interval = nodes.Duration(node, "engine.retention.interval");
        if (interval is null || (interval >= RetentionOptions.MinInterval && interval <= RetentionOptions.MaxInterval))
        {
            return interval;
        }
        nodes.Error(node, $"engine.retention.interval {Durations.Format(interval.Value)} must be from {Durations.Format(RetentionOptions.MinInterval)} to {Durations.Format(RetentionOptions.MaxInterval)}");
        return null;
    }
}

/// <summary>The <c>engine.retention:</c> section; a null field keeps the <see cref="RetentionOptions"/> default.</summary>
internal sealed record RetentionSettings
{
    public TimeSpan? Succeeded { get; init; }
    public TimeSpan? Skipped { get; init; }
    public TimeSpan? Dead { get; init; }
    public TimeSpan? Cancelled { get; init; }
    public TimeSpan? Events { get; init; }
    public TimeSpan? Journal { get; init; }
    public TimeSpan? Interval { get; init; }
    public int? BatchSize { get; init; }

    public void ApplyTo(RetentionOptions options)
    {
        options.Succeeded = Succeeded ?? options.Succeeded;
        options.Skipped = Skipped ?? options.Skipped;
        options.Dead = Dead ?? options.Dead;
        options.Cancelled = Cancelled ?? options.Cancelled;
        options.Events = Events ?? options.Events;
        options.Journal = Journal ?? options.Journal;
        options.Interval = Interval ?? options.Interval;
        options.BatchSize = BatchSize ?? options.BatchSize;
    }
}
