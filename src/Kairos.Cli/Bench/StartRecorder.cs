using System.Diagnostics;
using System.Text.Json.Nodes;
using Kairos.Executors;

namespace Kairos.Cli.Bench;

/// <summary>
/// The handler of the claim-latency benchmark and its records: for run number i (payload
/// <c>{"i": i}</c>), the Stopwatch timestamps just before its enqueue call, just after it returned,
/// and when its handler started.
/// </summary>
internal sealed class StartRecorder(int capacity)
{
    private readonly long[] _before = new long[capacity];
    private readonly long[] _after = new long[capacity];
    private readonly long[] _started = new long[capacity];
    private int _startedCount;

    public int Started => Volatile.Read(ref _startedCount);

    public Task<JsonNode?> HandleAsync(JobContext context)
    {
        var now = Stopwatch.GetTimestamp();
        var i = context.Payload.GetProperty("i").GetInt32();
        if (Interlocked.CompareExchange(ref _started[i], now, 0) == 0)
        {
            Interlocked.Increment(ref _startedCount);
        }
        return Task.FromResult<JsonNode?>(null);
    }

    public void Enqueued(int i, long before, long after)
    {
        Volatile.Write(ref _before[i], before);
        Volatile.Write(ref _after[i], after);
    }

    /// <summary>
    /// Sorted latencies in ms of the runs [first, first + count) that started: from the enqueue's
    /// return (negative when the handler started before the call returned), or from its call.
    /// </summary>
    public List<double> LatenciesMs(int first, int count, bool fromCall)
    {
        var latencies = new List<double>(count);
        for (var i = first; i < first + count; i++)
        {
            var started = Volatile.Read(ref _started[i]);
            var from = fromCall ? Volatile.Read(ref _before[i]) : Volatile.Read(ref _after[i]);
            if (started != 0 && from != 0)
            {
                latencies.Add((started - from) * 1000.0 / Stopwatch.Frequency);
            }
        }
        latencies.Sort();
        return latencies;
    }
}
