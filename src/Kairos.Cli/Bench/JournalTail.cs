using Kairos.Model;
using Kairos.Storage;

namespace Kairos.Cli.Bench;

/// <summary>Reads a store's journal as it grows: each call returns the entries appended since the previous one.</summary>
internal sealed class JournalTail(IKairosStore store)
{
    private long _after;

    public async Task<List<JournalEntry>> ReadNewAsync()
    {
        var entries = new List<JournalEntry>();
        while (true)
        {
            var page = await store.ListJournalAsync(new JournalQuery { AfterSeq = _after, Limit = 10_000 }, CancellationToken.None);
            if (page.Count == 0)
            {
                return entries;
            }
            entries.AddRange(page);
            _after = page[^1].Seq;
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
