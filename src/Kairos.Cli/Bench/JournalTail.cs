using System.Diagnostics;
using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Cli.Bench;

/// <summary>
/// Reads a store's journal as it grows: each call returns the entries appended since the previous
/// one, each once. Sequence numbers are taken when a transaction writes and become visible when it
/// commits, so on PostgreSQL a lower one can appear after a higher one: the tail reads again from
/// the oldest hole until it fills, or until it has been open for <see cref="HoleLimit"/> (a
/// transaction that rolled back leaves a hole for good).
/// </summary>
internal sealed class JournalTail(IKairosStore store)
{
    private static readonly TimeSpan HoleLimit = TimeSpan.FromSeconds(2);

    private readonly HashSet<long> _seenAbove = [];
    private long _settled; // Every entry up to here has been returned (or its hole given up on).
    private long _holeSince;

    public async Task<List<JournalEntry>> ReadNewAsync()
    {
        var entries = new List<JournalEntry>();
        var after = _settled;
        while (true)
        {
            var page = await store.ListJournalAsync(new JournalQuery { AfterSeq = after, Limit = 10_000 }, CancellationToken.None);
            if (page.Count == 0)
            {
                break;
            }
            entries.AddRange(page.Where(e => _seenAbove.Add(e.Seq)));
            after = page[^1].Seq;
        }
        Settle();
        return entries;
    }

    private void Settle()
    {
        while (_seenAbove.Remove(_settled + 1))
        {
            _settled++;
            _holeSince = 0;
        }
        if (_seenAbove.Count == 0)
        {
            return;
        }
        if (_holeSince == 0)
        {
            _holeSince = Stopwatch.GetTimestamp();
        }
        else if (Stopwatch.GetElapsedTime(_holeSince) > HoleLimit)
        {
            _settled = _seenAbove.Min(); // Give the hole up: nothing will fill it now.
            _seenAbove.Remove(_settled);
            _holeSince = 0;
            Settle();
        }
    }

    /// <summary>Reads until an entry matches (returning the first that does) or <paramref name="limit"/> passes (null); <paramref name="seen"/> gets every entry read.</summary>
    public async Task<JournalEntry?> WaitForAsync(Func<JournalEntry, bool> match, TimeSpan limit, Action<JournalEntry> seen)
    {
        var deadline = DateTimeOffset.UtcNow + limit;
        while (DateTimeOffset.UtcNow < deadline)
        {
            JournalEntry? found = null;
            foreach (var entry in await ReadNewAsync())
            {
                seen(entry);
                found ??= match(entry) ? entry : null;
            }
            if (found is not null)
            {
                return found;
            }
            await Task.Delay(20);
        }
        return null;
    }
}
