using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Kairos.Tests.Support;

/// <summary>
/// Records what one instrument of one engine's <c>Kairos</c> meter measures while alive (tests run
/// engines in parallel in one process, each with its own meter).
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(double Value, Dictionary<string, string?> Tags)> _measurements = new();

    public MetricRecorder(Kairos.Engine.KairosEngine engine, string instrument)
    {
        _listener.InstrumentPublished = (i, listener) =>
        {
            if (engine.Metrics.IsKairos(i) && i.Name == instrument)
            {
                listener.EnableMeasurementEvents(i);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) => Record(value, tags));
        _listener.Start();
    }

    /// <summary>The sum of the measurements whose tags include every one given.</summary>
    public double Sum(params (string Key, string Value)[] tags) => Values(tags).Sum();

    /// <summary>The measurements whose tags include every one given, in the order measured.</summary>
    public IReadOnlyList<double> Values(params (string Key, string Value)[] tags) =>
        _measurements.Where(m => tags.All(t => m.Tags.GetValueOrDefault(t.Key) == t.Value)).Select(m => m.Value).ToList();

    private void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }
        _measurements.Enqueue((value, copy));
    }

    public void Dispose() => _listener.Dispose();
}
