using System.Text.Json;
using Kairos.Model;
using Kairos.Storage.Drivers;

namespace Kairos.Engine.Flow;

/// <summary>
/// Concurrency keys: at most <c>limit</c> runs of a job running per key value; the others stay
/// queued, none is dropped. A run's keys and their limits are evaluated from its payload once, at
/// enqueue, and stored with it (<see cref="NewRun.FlowKeys"/>); the claim counts the running runs
/// per key (<see cref="ConcurrencyKeyCounter"/>) under the same lock as every other limit, so
/// claims on several nodes take turns and never go over.
/// </summary>
internal static class ConcurrencySlots
{
    /// <summary>One key of a run and the limit it had when the run was enqueued.</summary>
    public sealed record Slot(string Key, int Limit);

    /// <summary>The stored keys of a run of <paramref name="job"/> with <paramref name="payload"/>; null when the job has none.</summary>
    public static string? Encode(string job, FlowControl flow, string? payload)
    {
        if (flow.Concurrency.Count == 0)
        {
            return null;
        }
        var slots = flow.Concurrency.Select((c, i) => new Slot(FlowKeys.For(job, "concurrency", c.Key, payload), c.Limit))
            .DistinctBy(s => s.Key).ToList();
        return JsonSerializer.Serialize(slots, KairosJson.Options);
    }

    public static IReadOnlyList<Slot> Decode(string stored) =>
        JsonSerializer.Deserialize<List<Slot>>(stored, KairosJson.Options) ?? [];
}

/// <summary>Running runs per concurrency key, so a claim stays within every key's limit.</summary>
internal sealed class ConcurrencyKeyCounter
{
    private readonly Dictionary<string, int> _running = new(StringComparer.Ordinal);

    public ConcurrencyKeyCounter(IEnumerable<string> runningKeys)
    {
        foreach (var stored in runningKeys)
        {
            foreach (var slot in ConcurrencySlots.Decode(stored))
            {
                _running[slot.Key] = _running.GetValueOrDefault(slot.Key) + 1;
            }
        }
    }

    /// <summary>Whether every key of <paramref name="stored"/> is below its limit.</summary>
    public bool Allows(string stored) => ConcurrencySlots.Decode(stored).All(s => _running.GetValueOrDefault(s.Key) < s.Limit);

    /// <summary>Counts one more running run under each key of <paramref name="stored"/>.</summary>
    public void Take(string stored)
    {
        foreach (var slot in ConcurrencySlots.Decode(stored))
        {
            _running[slot.Key] = _running.GetValueOrDefault(slot.Key) + 1;
        }
    }
}
