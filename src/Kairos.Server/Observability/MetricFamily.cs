using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Kairos.Server.Observability;

/// <summary>
/// One instrument as a Prometheus metric family: its name in Prometheus' terms (dots to
/// underscores, <c>_seconds</c> for a unit of seconds, <c>_total</c> for a counter), its type, and
/// one series per tag set.
/// </summary>
internal abstract class MetricFamily(string name, string type, string? help)
{
    private readonly ConcurrentDictionary<SeriesKey, Series> _series = new();

    public string Name { get; } = name;

    /// <summary>The family of an instrument, or null for a kind this exporter does not show.</summary>
    public static MetricFamily? For(Instrument instrument)
    {
        var baseName = PrometheusText.MetricName(instrument.Name) + (instrument.Unit == "s" ? "_seconds" : "");
        var kind = instrument.GetType().GetGenericTypeDefinition();
        if (kind == typeof(Counter<>))
        {
            return new Sum(baseName + "_total", "counter", instrument.Description, cumulative: false);
        }
        if (kind == typeof(ObservableCounter<>))
        {
            return new Sum(baseName + "_total", "counter", instrument.Description, cumulative: true);
        }
        if (kind == typeof(UpDownCounter<>))
        {
            return new Sum(baseName, "gauge", instrument.Description, cumulative: false);
        }
        if (kind == typeof(ObservableGauge<>) || kind == typeof(ObservableUpDownCounter<>) || kind == typeof(Gauge<>))
        {
            return new Sum(baseName, "gauge", instrument.Description, cumulative: true);
        }
        if (kind == typeof(Histogram<>))
        {
            var bounds = instrument is Histogram<double> { Advice.HistogramBucketBoundaries: { } advised } ? advised.ToArray() : DefaultBounds;
            return new Buckets(baseName, instrument.Description, bounds);
        }
        return null;
    }

    /// <summary>The OpenTelemetry SDK's default bounds, for a histogram that advises none.</summary>
    private static readonly double[] DefaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = SeriesKey.From(tags);
        if (!_series.TryGetValue(key, out var series))
        {
            series = _series.GetOrAdd(key, NewSeries);
        }
        series.Add(value);
    }

    protected abstract Series NewSeries(SeriesKey key);

    public void Write(TextWriter output)
    {
        if (help is { Length: > 0 })
        {
            output.Write("# HELP ");
            output.Write(Name);
            output.Write(' ');
            output.Write(PrometheusText.EscapeHelp(help));
            output.Write('\n');
        }
        output.Write("# TYPE ");
        output.Write(Name);
        output.Write(' ');
        output.Write(type);
        output.Write('\n');
        foreach (var (key, series) in _series.OrderBy(s => s.Key.ToString(), StringComparer.Ordinal))
        {
            series.Write(output, Name, key);
        }
    }

    protected abstract class Series
    {
        public abstract void Add(double value);

        public abstract void Write(TextWriter output, string name, SeriesKey key);
    }

    /// <summary>A counter's total, or (<c>cumulative</c>: observed values) the last value seen.</summary>
    private sealed class Sum(string name, string type, string? help, bool cumulative) : MetricFamily(name, type, help)
    {
        protected override Series NewSeries(SeriesKey key) => new Value(cumulative);

        private sealed class Value(bool replace) : Series
        {
            private double _value;

            public override void Add(double value)
            {
                if (replace)
                {
                    Volatile.Write(ref _value, value);
                    return;
                }
                double seen, added;
                do
                {
                    seen = Volatile.Read(ref _value);
                    added = seen + value;
                }
                while (Interlocked.CompareExchange(ref _value, added, seen) != seen);
            }

            public override void Write(TextWriter output, string name, SeriesKey key) =>
                PrometheusText.Sample(output, name, key, null, Volatile.Read(ref _value));
        }
    }

    private sealed class Buckets(string name, string? help, double[] bounds) : MetricFamily(name, "histogram", help)
    {
        protected override Series NewSeries(SeriesKey key) => new Histogram(bounds);

        private sealed class Histogram(double[] bounds) : Series
        {
            private readonly long[] _counts = new long[bounds.Length + 1];
            private readonly Lock _gate = new();
            private double _sum;
            private long _count;

            public override void Add(double value)
            {
                var bucket = Array.BinarySearch(bounds, value);
                bucket = bucket < 0 ? ~bucket : bucket; // A value equal to a bound belongs to that bound's bucket (le).
                lock (_gate)
                {
                    _counts[bucket]++;
                    _sum += value;
                    _count++;
                }
            }

            public override void Write(TextWriter output, string name, SeriesKey key)
            {
                long[] counts;
                double sum;
                long count;
                lock (_gate)
                {
                    (counts, sum, count) = ((long[])_counts.Clone(), _sum, _count);
                }
                long cumulative = 0;
                for (var i = 0; i < bounds.Length; i++)
                {
                    cumulative += counts[i];
                    PrometheusText.Sample(output, name + "_bucket", key, bounds[i].ToString("R", CultureInfo.InvariantCulture), cumulative);
                }
                PrometheusText.Sample(output, name + "_bucket", key, "+Inf", count);
                PrometheusText.Sample(output, name + "_sum", key, null, sum);
                PrometheusText.Sample(output, name + "_count", key, null, count);
            }
        }
    }
}
