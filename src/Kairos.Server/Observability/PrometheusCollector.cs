using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Kairos.Observability;

namespace Kairos.Server.Observability;

/// <summary>
/// Listens to the engine's instruments (<see cref="KairosMetrics"/>) and keeps, per instrument and
/// tag set, what the Prometheus text format shows: a counter's total, a gauge's last value, a
/// histogram's buckets, sum and count. Observable instruments are read when <see cref="Write"/> is
/// called. A measurement of a known tag set allocates nothing.
/// </summary>
internal sealed class PrometheusCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, MetricFamily> _families = new();

    public PrometheusCollector(KairosMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (metrics.IsKairos(instrument) && MetricFamily.For(instrument) is { } family)
            {
                _families[instrument] = family;
                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _families.TryRemove(instrument, out MetricFamily? _);
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Reads the observable instruments, then writes every family in the text exposition format (version 0.0.4).</summary>
    public void Write(TextWriter output)
    {
        _listener.RecordObservableInstruments();
        foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            family.Write(output);
        }
    }

    public void Dispose() => _listener.Dispose();
}
