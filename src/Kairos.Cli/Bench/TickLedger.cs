using System.Text.Json.Nodes;
using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Cli.Bench;

/// <summary>
/// The every-second cron ticks of the failover benchmark as the journal shows them (one
/// <c>run.enqueued</c> per fired tick, by the node that fired it), with the tick each run is for
/// (its payload's <c>scheduledAt</c>: a tick fired late is due when it is fired), to tell whether a
/// tick across the change of leader was lost, fired twice, and how late.
/// </summary>
internal sealed class TickLedger(string job)
{
    private readonly List<JournalEntry> _enqueued = [];

    public void Add(JournalEntry entry)
    {
        if (entry.Kind == "run.enqueued" && entry.JobName == job)
        {
            _enqueued.Add(entry);
        }
    }

    /// <summary>The tick the run of a run.enqueued entry is for.</summary>
    public static async Task<DateTimeOffset> TickOfAsync(IKairosStore store, JournalEntry entry)
    {
        var run = await store.GetRunAsync(entry.RunId!.Value, CancellationToken.None)
            ?? throw new InvalidOperationException($"run {entry.RunId} is gone");
        return JsonNode.Parse(run.Payload!)!["scheduledAt"]!.GetValue<DateTimeOffset>();
    }

    /// <summary>
    /// Every tick from the one of <paramref name="first"/> on, relative to <paramref name="stoppedAt"/>,
    /// and how many whole seconds from there to the last tick no node fired, or were fired twice.
    /// </summary>
    public async Task<JsonObject> DescribeAsync(IKairosStore store, JournalEntry first, DateTimeOffset stoppedAt, string oldLeader)
    {
        var from = await TickOfAsync(store, first);
        var ticks = new List<(DateTimeOffset Tick, DateTimeOffset At, string Node)>();
        foreach (var entry in _enqueued.Where(e => e.Seq >= first.Seq))
        {
            ticks.Add((await TickOfAsync(store, entry), entry.At, entry.Node!));
        }
        ticks = ticks.Where(t => t.Tick >= from).OrderBy(t => t.Tick).ToList();
        var list = new JsonArray();
        foreach (var (tick, at, node) in ticks)
        {
            list.Add(new JsonObject
            {
                ["tickMs"] = Math.Round((tick - stoppedAt).TotalMilliseconds),
                ["enqueuedMs"] = Math.Round((at - stoppedAt).TotalMilliseconds),
                ["by"] = node == oldLeader ? "old leader" : "new leader",
            });
        }
        var seconds = ticks.Select(t => t.Tick.ToUnixTimeSeconds()).ToList();
        var distinct = seconds.Distinct().Count();
        return new JsonObject
        {
            ["ticks"] = list,
            ["ticksLost"] = seconds.Count == 0 ? 0 : seconds[^1] - seconds[0] + 1 - distinct,
            ["ticksFiredTwice"] = seconds.Count - distinct,
        };
    }
}
